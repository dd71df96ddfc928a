using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Documents;
using AccidentRemote.Server.Hosting;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Server.Signalling;

if (args.FirstOrDefault() == "create-officer")
{
    return await OfficerCommand.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddHosting();
builder.AddData();
builder.AddInsurers();
builder.AddAuth();
builder.AddCases();
builder.AddClaims();
builder.AddSignalling();
builder.AddDocuments();

var app = builder.Build();
app.UseHosting();
app.MapHealth();
app.MapAuth();
app.MapInsurers();
app.MapCases();
app.MapClaims();
app.MapCall();
app.MapDocuments();
app.PrintStartBanner();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
