using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Evidence;
using AccidentRemote.Server.Fraud;
using AccidentRemote.Server.Documents;
using AccidentRemote.Server.Hosting;
using AccidentRemote.Server.InsurerDesk;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Server.Kpis;
using AccidentRemote.Server.Privacy;
using AccidentRemote.Server.Signalling;
using AccidentRemote.Server.Telemetry;
using AccidentRemote.Server.Web;

switch (args.FirstOrDefault())
{
    case "create-officer":
        return await OfficerCommand.RunAsync(args[1..]);
    case "disable-officer" or "enable-officer":
        return await OfficerCommand.SetDisabledAsync(args[1..], disable: args[0] == "disable-officer");
    case "verify-audit":
        return await AuditCommand.RunAsync();
    case "purge" or "export-person" or "erase-case":
        return await PrivacyCommands.RunAsync(args[0], args[1..]);
    case "topology":
        return TopologyCommand.Run(args[1..]);
}

var builder = WebApplication.CreateBuilder(PhoneTrial.ExpandArguments(args));
builder.AddPhoneTrial();
builder.AddLogs();
builder.AddHosting();
builder.AddHttps();
builder.AddTelemetry();
builder.AddData();
builder.AddAudit();
builder.AddInsurers();
builder.AddInsurerDesk();
builder.AddAuth();
builder.AddCases();
builder.AddClaims();
builder.AddSignalling();
builder.AddKpis();
builder.AddEvidence();
builder.AddDocuments();
builder.AddPrivacy();
builder.AddWeb();

var app = builder.Build();
app.UseHosting();
app.MapHealth();
app.MapAuth();
app.MapInsurers();
app.MapInsurerDesk();
app.MapCases();
app.MapFraud();
app.MapClaims();
app.MapCall();
app.MapAudit();
app.MapKpis();
app.MapEvidence();
app.MapDocuments();
app.MapSigning();
app.MapPrivacy();
app.MapWeb();
app.PrintStartBanner();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
