using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Documents;

/// <summary>The public address for Cases' links and QR codes: the one the documents' QR codes use.</summary>
public sealed class DocumentsPublicAddress(IOptions<DocumentOptions> options) : Cases.IPublicAddress
{
    public string PublicBaseUrl => options.Value.PublicBaseUrl;
}
