using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Auth;

/// <summary>
/// So that an ended session (password reset, account disabled, expiry, sign-out) also ends the staff
/// member's open hub connections, every staff connection is remembered with its session and closed
/// when the session is no longer valid (see <see cref="HubConnectionSweep{TKey}"/>); it also catches
/// changes made by the commands (another process) or on another node. The supervisor API checks at once as well.
/// </summary>
public sealed class StaffHubSessions(OfficerStore officers, IOptions<AuthOptions> options, ILogger<StaffHubSessions> logger)
    : HubConnectionSweep<string>(options, logger)
{
    protected override string Closing => "staff hub connection(s) whose session ended";

    protected override bool TryKey(HubCallerContext context, out string key)
    {
        key = StaffTokenHash(context) ?? "";
        return key.Length > 0;
    }

    protected override async Task<Func<string, bool>> EndedAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var valid = await officers.ValidSessionHashesAsync(ct);
        return hash => !valid.Contains(hash);
    }

    private static string? StaffTokenHash(HubCallerContext context)
    {
        var user = context.User;
        if (user is null || !(user.IsInRole(Roles.Officer) || user.IsInRole(Roles.Supervisor) || user.IsInRole(Roles.Insurer)))
        {
            return null;
        }

        var request = context.GetHttpContext()?.Request;
        var header = request?.Headers.Authorization.ToString() ?? "";
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : request?.Query["access_token"].ToString();
        return token is not null && token.StartsWith(Secrets.OfficerTokenPrefix, StringComparison.Ordinal) ? Secrets.HashToken(token) : null;
    }
}
