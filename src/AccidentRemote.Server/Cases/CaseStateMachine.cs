namespace AccidentRemote.Server.Cases;

/// <summary>
/// The case's states and the only ways between them. Every officer action names its
/// transition here; a request from any other state is refused with the state named.
/// <code>
/// reported ─► queued ─► in_call ─► vehicles_moved ─► liability_determined ⇄ awaiting_signatures ─► closed
///    │          │  │        │              │                 │                    │
///    └──────────┴──┴────────┴──────────────┴─────────────────┴────────────────────┴──► escalated (on-scene officer)
///               └──┴──► abandoned (driver left, no answer)
/// A change to liability or to a party's details while awaiting signatures goes back to
/// liability_determined: the signatures given are void and the document must be issued again.
/// </code>
/// </summary>
public static class CaseStateMachine
{
    public sealed record Transition(string Action, IReadOnlyList<string> From, string To);

    public static readonly IReadOnlyList<Transition> Transitions =
    [
        new("queue", [CaseStatus.Reported], CaseStatus.Queued),
        new("accept", [CaseStatus.Queued], CaseStatus.InCall),
        new("vehicles-moved", [CaseStatus.InCall], CaseStatus.VehiclesMoved),
        new("liability", [CaseStatus.VehiclesMoved, CaseStatus.LiabilityDetermined, CaseStatus.AwaitingSignatures], CaseStatus.LiabilityDetermined),
        new("issue-document", [CaseStatus.LiabilityDetermined, CaseStatus.AwaitingSignatures], CaseStatus.AwaitingSignatures),
        new("reopen", [CaseStatus.AwaitingSignatures], CaseStatus.LiabilityDetermined),
        new("close", [CaseStatus.AwaitingSignatures], CaseStatus.Closed),
        new("escalate", [CaseStatus.Reported, CaseStatus.Queued, CaseStatus.InCall, CaseStatus.VehiclesMoved, CaseStatus.LiabilityDetermined, CaseStatus.AwaitingSignatures], CaseStatus.Escalated),
        new("abandon", [CaseStatus.Queued, CaseStatus.InCall], CaseStatus.Abandoned),
    ];

    public static Transition For(string action) => Transitions.Single(t => t.Action == action);

    /// <summary>Why an action is refused in a state (in the request's language, naming no state), or null when it is allowed.</summary>
    public static string? Refusal(string action, string status) =>
        For(action).From.Contains(status) ? null : ServerText.Get("Case.Action." + action);
}
