namespace AccidentRemote.Server.Signalling;

/// <summary>An SDP description as the browser's RTCSessionDescriptionInit has it (W3C names).</summary>
public sealed record SessionDescription(string? Type, string? Sdp);

/// <summary>An ICE candidate as the browser's RTCIceCandidateInit has it (W3C names, nullable as the browser sends them).</summary>
public sealed record IceCandidate(string? Candidate, string? SdpMid, int? SdpMLineIndex, string? UsernameFragment);

/// <summary>A signal a client sends: to the officer (from a party) or to one party (from the officer).</summary>
public sealed record OutgoingSignal(Guid CaseId, Guid? ToPartyId, string? Type, SessionDescription? Description, IceCandidate? Candidate);

/// <summary>A signal as delivered; <see cref="FromPartyId"/> is null when it comes from the officer.</summary>
public sealed record IncomingSignal(Guid CaseId, Guid? FromPartyId, string Type, SessionDescription? Description, IceCandidate? Candidate);

public sealed record CallRoster(Guid CaseId, string Status, IReadOnlyList<RosterParty> Parties);

public sealed record RosterParty(Guid PartyId, int PartyNumber, string Plate, bool Online);

public sealed record PeerChange(Guid CaseId, Guid PartyId, bool Online);

public sealed record CaseStatusChanged(Guid CaseId, string Status);

public sealed record InstructionMessage(Guid CaseId, string Kind, string? Angle);

public sealed record PartyMovedMessage(Guid CaseId, Guid PartyId);

/// <summary>To the case's officer: a party disagrees with the document instead of signing it (reasons from the objection list, its own words).</summary>
public sealed record PartyObjectedMessage(Guid CaseId, Guid PartyId, int PartyNumber, int Version, IReadOnlyList<string> Reasons, string? Text);

/// <summary>To the officer: a party left the call (<c>left</c>) or asks to be called back (<c>call-back</c>).</summary>
public sealed record CallNoticeMessage(Guid CaseId, Guid PartyId, string Kind);

public sealed record ClaimAcknowledgedMessage(Guid CaseId, string InsurerCode, string ClaimReportNumber);

public sealed record EvidenceAddedMessage(Guid CaseId, Guid EvidenceId, string Kind, Guid? PartyId);

/// <summary>To a party of an existing case: a separate report with <see cref="Plate"/> says it was in this accident. Answer with POST /api/cases/{caseId}/duplicates/{linkId}/answer.</summary>
public sealed record DuplicateQuestionMessage(Guid CaseId, Guid LinkId, string Plate);

/// <summary>To the parties of a report merged into another case: the same token now opens <see cref="CaseId"/>.</summary>
public sealed record MergedMessage(Guid FromCaseId, Guid CaseId, string CaseNumber, Guid PartyId, int PartyNumber);

/// <summary>To a party the first party turned away: its token no longer opens the case.</summary>
public sealed record PartyRejectedMessage(Guid CaseId, Guid PartyId);

/// <summary>To one party: a canned phrase of the officer's, by key (the page words it in the party's language).</summary>
public sealed record PhraseMessage(Guid CaseId, Guid PartyId, string Key);

/// <summary>To the case's officer: a party gave its details (<c>details</c>) or signed the document (<c>signed</c>).</summary>
public sealed record PartyProgressMessage(Guid CaseId, Guid PartyId, string Step);

/// <summary>The steps <see cref="PartyProgressMessage"/> names.</summary>
public static class PartyProgressSteps
{
    public const string Details = "details";
    public const string SignedDocument = "signed";
}

/// <summary>What the server calls on a connected client. Method names are the event names in docs/signalling.md.</summary>
public interface ICallClient
{
    Task Signal(IncomingSignal signal);

    Task PeerChanged(PeerChange change);

    Task QueueChanged(IReadOnlyList<Cases.QueueItem> queue);

    Task QueuePosition(Cases.QueuePositionView position);

    Task CaseChanged(CaseStatusChanged change);

    Task Instruction(InstructionMessage instruction);

    Task PartyMoved(PartyMovedMessage moved);

    Task PartyObjected(PartyObjectedMessage objected);
    Task CallNotice(CallNoticeMessage notice);

    Task EvidenceAdded(EvidenceAddedMessage evidence);

    Task ClaimAcknowledged(ClaimAcknowledgedMessage acknowledged);

    Task DuplicateQuestion(DuplicateQuestionMessage question);

    Task Merged(MergedMessage merged);

    Task PartyRejected(PartyRejectedMessage rejected);

    Task Phrase(PhraseMessage phrase);

    Task PartyProgress(PartyProgressMessage progress);
}

public static class SignalTypes
{
    public const string Offer = "offer";
    public const string Answer = "answer";
    public const string Candidate = "candidate";
    public const string Hangup = "hangup";

    public static readonly IReadOnlyList<string> All = [Offer, Answer, Candidate, Hangup];
}

/// <summary>Checks a signal's shape. Returns what is wrong, or null. Never echoes SDP or candidates.</summary>
public static class SignalRules
{
    public const int MaxSdpLength = 60 * 1024;
    public const int MaxCandidateLength = 1024;

    public static string? Check(OutgoingSignal s)
    {
        if (s.Type is null || !SignalTypes.All.Contains(s.Type))
        {
            return $"Signal type must be one of {string.Join(", ", SignalTypes.All)}.";
        }

        switch (s.Type)
        {
            case SignalTypes.Offer or SignalTypes.Answer:
                if (s.Description?.Sdp is null || s.Description.Type != s.Type)
                {
                    return $"A {s.Type} needs description.type = '{s.Type}' and description.sdp.";
                }

                if (s.Description.Sdp.Length > MaxSdpLength)
                {
                    return $"The SDP is longer than {MaxSdpLength} characters.";
                }

                if (s.Candidate is not null)
                {
                    return "An offer or answer carries no candidate.";
                }

                break;
            case SignalTypes.Candidate:
                if (s.Description is not null)
                {
                    return "A candidate carries no description.";
                }

                var c = s.Candidate;
                if (c is not null && (c.Candidate?.Length > MaxCandidateLength || c.SdpMid?.Length > 64 || c.SdpMLineIndex is < 0 or > 64 || c.UsernameFragment?.Length > 256))
                {
                    return "The ICE candidate is malformed or too long.";
                }

                break;
            default:
                if (s.Description is not null || s.Candidate is not null)
                {
                    return "A hangup carries no description or candidate.";
                }

                break;
        }

        return null;
    }
}
