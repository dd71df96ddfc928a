using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Edge;

/// <summary>
/// Sign-in is limited per username as well as per address, without letting an attacker lock a named officer
/// out for long; an unknown username costs the same password check as a real one.
/// </summary>
public sealed class SignInTests
{
    private const string Username = "li.wei";

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/api/officers/sign-in", new { username, password });

    [Fact]
    public async Task Failed_sign_ins_hold_a_username_from_every_new_address_until_the_window_ends_but_not_at_the_officers_own_address()
    {
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        using var app = TestApp.Embedded(
            extra: new() { ["Auth:SignInFailuresPerUsername"] = "5", ["Auth:SignInFailureWindow"] = "00:01:00" },
            services: s => s.AddSingleton<TimeProvider>(clock));
        var server = app.StartKestrel();
        var password = Secrets.NewPassword();
        await app.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(Username, "李伟", Roles.Officer, password, CancellationToken.None);
        using var workstation = Nginx.ClientFrom(IPAddress.Parse("127.0.0.2"), server);
        using var attacker = Nginx.ClientFrom(IPAddress.Parse("127.0.0.3"), server);
        using var newDevice = Nginx.ClientFrom(IPAddress.Parse("127.0.0.4"), server);
        await (await SignInAsync(workstation, Username, password)).JsonAsync(200);

        for (var i = 0; i < 5; i++)
        {
            await (await SignInAsync(attacker, Username, $"guess-{i}")).JsonAsync(401);
        }

        // The sixth guess is refused before the password is looked at, and says how long to wait.
        var held = await SignInAsync(attacker, Username, "guess-5");
        var problem = await held.JsonAsync(429);
        Assert.Equal("SignIn.Throttled", problem.GetProperty("code").GetString());
        Assert.Contains("登录失败的次数太多", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        var retryAfter = int.Parse(held.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        // Even the right password from a new address waits (else the hold would not slow guessing) ...
        await (await SignInAsync(newDevice, Username, password)).JsonAsync(429);
        // ... but the officer at the workstation that signed in before gets in, and other officers are not affected.
        await (await SignInAsync(workstation, Username, password)).JsonAsync(200);
        await (await SignInAsync(attacker, "zhang.min", "x")).JsonAsync(401);

        // When the window ends the hold is over for everyone.
        clock.Now += TimeSpan.FromMinutes(1);
        await (await SignInAsync(newDevice, Username, password)).JsonAsync(200);
    }

    [Fact]
    public async Task An_unknown_username_costs_the_same_PBKDF2_check_as_a_real_one()
    {
        var hasher = new RecordingHasher();
        using var app = TestApp.Embedded(services: s => s.AddSingleton<IPasswordHasher>(hasher));
        var store = app.Services.GetRequiredService<OfficerStore>();
        await store.CreateOrResetAsync(Username, "李伟", Roles.Officer, Secrets.NewPassword(), CancellationToken.None);
        var realHash = (await store.FindByUsernameAsync(Username, CancellationToken.None))!.PasswordHash;
        var client = app.CreateClient();

        await (await SignInAsync(client, Username, "wrong")).JsonAsync(401);
        Assert.Equal([realHash], hasher.Checked.ToArray());
        hasher.Checked.Clear();

        var unknown = await (await SignInAsync(client, "nobody.here", "wrong")).JsonAsync(401);
        var dummy = Assert.Single(hasher.Checked);
        // Same algorithm, same iteration count, same salt and hash sizes as a real officer's: the same work.
        Assert.Equal(Shape(realHash), Shape(dummy));
        Assert.NotEqual(realHash, dummy);
        Assert.Equal("SignIn.Wrong", unknown.GetProperty("code").GetString());
        Assert.Equal("用户名或密码不对。", unknown.GetProperty("title").GetString());
    }

    /// <summary>Algorithm, iterations, salt length and hash length of a stored hash.</summary>
    private static string Shape(string hash)
    {
        var parts = hash.Split('$');
        return $"{parts[0]}${parts[1]}${Convert.FromBase64String(parts[2]).Length}${Convert.FromBase64String(parts[3]).Length}";
    }

    private sealed class RecordingHasher : IPasswordHasher
    {
        private readonly Pbkdf2PasswordHasher real = new();

        public ConcurrentQueue<string> Checked { get; } = new();

        public bool Verify(string password, string storedHash)
        {
            Checked.Enqueue(storedHash);
            return real.Verify(password, storedHash);
        }
    }
}
