using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// Logs refused hub calls (a <see cref="HubException"/>: not allowed, malformed, too many) once per
/// connection and kind, at Information and without a stack: a flood of refused signals is one line,
/// not hundreds of errors. SignalR's own error entry for each failed invocation is switched off
/// (<see cref="SignallingExtensions"/>), so anything else a hub method throws is logged here, as an error.
/// </summary>
public sealed partial class HubRefusalLogFilter(ILogger<HubRefusalLogFilter> logger) : IHubFilter
{
    private const string Key = "refusals-logged";

    /// <summary>The category whose per-invocation error entries this filter replaces.</summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (HubException ex)
        {
            var items = invocationContext.Context.Items;
            if (!items.TryGetValue(Key, out var value) || value is not ConcurrentDictionary<string, byte> logged)
            {
                logged = new ConcurrentDictionary<string, byte>();
                items[Key] = logged;
            }

            // Hub refusal messages are fixed texts (no SDP, candidates or personal data), so they name the kind.
            var method = invocationContext.HubMethodName;
            if (logged.TryAdd($"{method}\u001f{ex.Message}", 0))
            {
                Log.Refused(logger, method, invocationContext.Context.ConnectionId, ex.Message);
            }
            else
            {
                Log.RefusedAgain(logger, method, invocationContext.Context.ConnectionId, ex.Message);
            }

            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Failed(logger, ex, invocationContext.HubMethodName, invocationContext.Context.ConnectionId);
            throw;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Hub call {Method} refused on connection {ConnectionId}: {Reason} (further refusals of this kind on this connection are not logged)")]
        public static partial void Refused(ILogger logger, string method, string connectionId, string reason);

        [LoggerMessage(Level = LogLevel.Trace, Message = "Hub call {Method} refused again on connection {ConnectionId}: {Reason}")]
        public static partial void RefusedAgain(ILogger logger, string method, string connectionId, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Hub call {Method} failed on connection {ConnectionId}")]
        public static partial void Failed(ILogger logger, Exception exception, string method, string connectionId);
    }
}
