using Microsoft.AspNetCore.Http.HttpResults;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Whether a report or join carries the driver's agreement to the current privacy notice
/// (PIPL: nothing is taken without it). Privacy, which owns the notice, implements it.
/// </summary>
public interface IConsentCheck
{
    /// <summary>Null and the consent to store when agreed to the current notice; otherwise the localised 400.</summary>
    ValidationProblem? Check(ConsentInput? input, out PartyConsent? consent);
}
