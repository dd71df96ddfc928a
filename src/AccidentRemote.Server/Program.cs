using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Hosting;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Server.Web;

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
builder.AddWeb();

var app = builder.Build();
app.UseHosting();
app.UseWeb();
app.MapHealth();
app.MapAuth();
app.MapInsurers();
app.MapCases();
app.MapClaims();
app.MapWeb();
app.PrintStartBanner();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
