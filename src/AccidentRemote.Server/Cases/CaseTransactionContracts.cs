using System.Diagnostics.CodeAnalysis;

namespace AccidentRemote.Server.Cases;

/// <summary>The outcome of a change to a case: done, or refused with the state the case is in.</summary>
public abstract record CaseChange
{
    public sealed record Done(CaseDetails Case) : CaseChange;

    public sealed record NotFound : CaseChange;

    /// <summary>Refused in this state; <paramref name="Reason"/> is for people, in the request's language (<c>ServerText.Get</c>).</summary>
    public sealed record WrongState(string Status, string Reason) : CaseChange;

    public sealed record NotYours(Guid? OfficerId) : CaseChange;

    /// <summary>A bad field; <paramref name="Reason"/> is for people, in the request's language (<c>ServerText.Get</c>).</summary>
    public sealed record Invalid(string Field, string Reason) : CaseChange;
}

/// <summary>Who acts on a case: its name is the actor of the case event and the audit entry.</summary>
public abstract record CaseActor
{
    public abstract string Name { get; }

    /// <summary>An officer; a supervisor may act on any case.</summary>
    public sealed record Officer(Guid OfficerId, bool IsSupervisor = false) : CaseActor
    {
        public override string Name => $"officer:{OfficerId}";
    }

    /// <summary>A party of the case (a driver with its party token).</summary>
    public sealed record Party(Guid PartyId) : CaseActor
    {
        public override string Name => $"party:{PartyId}";
    }

    /// <summary>The server itself (queue expiry, triage).</summary>
    public sealed record System : CaseActor
    {
        public static readonly System Instance = new();

        public override string Name => "system";
    }
}

/// <summary>The answer of <see cref="CaseTransactions.BeginAsync"/>: an open transaction, or why none was opened.</summary>
public readonly record struct CaseBegin(CaseTransaction? Transaction, CaseChange? Refusal)
{
    [MemberNotNullWhen(true, nameof(Refusal))]
    [MemberNotNullWhen(false, nameof(Transaction))]
    public bool Refused => Transaction is null;
}

/// <summary>
/// Checked at <see cref="CaseTransactions.BeginAsync"/>, after the access rule and the state
/// machine and before the caller's work: a feature that must agree to an action (Documents: a
/// case closes only with a signed document) refuses it here. Reads only; returns the reason, or null.
/// </summary>
public interface ICaseGuard
{
    Task<string?> RefusalAsync(CaseTransaction tx, CancellationToken ct);
}

/// <summary>
/// Runs inside the transaction at <see cref="CaseTransaction.CommitAsync"/>, after the caller's
/// work, with the case as it will be committed (Claims puts its claims in the outbox on close).
/// Writes only its own feature's tables; returns a refusal to roll everything back, or null.
/// </summary>
public interface ICaseCommitHook
{
    Task<CaseChange?> BeforeCommitAsync(CaseTransaction tx, CaseDetails after, CancellationToken ct);
}

/// <summary>
/// One event recorded in a case transaction: its kind and timeline detail, and what it is about
/// (<see cref="Subject"/>: the evidence row, the signature, the instruction) for the observers that need more than the timeline says.
/// </summary>
public sealed record CaseRecord(string Kind, string? Detail, object? Subject, CaseActor By);

/// <summary>A record a case transaction made on another case than its own (the other report of a possible duplicate, a merged report).</summary>
public sealed record CaseRecordElsewhere(Guid CaseId, CaseRecord Record);

/// <summary>
/// What committed, for the observers: the case after, the state before, who did it, and what was recorded.
/// <see cref="Created"/>: the transaction made the case (a report; <see cref="PreviousStatus"/> is then its first state).
/// <see cref="Elsewhere"/>: what it recorded on other cases, which <see cref="Records"/> does not hold.
/// </summary>
public sealed record CaseCommitted(CaseDetails Case, string PreviousStatus, CaseActor Actor, string? Action, IReadOnlyList<CaseRecord> Records)
{
    public bool StatusChanged => Case.Case.Status != PreviousStatus;

    public bool Created { get; init; }

    public IReadOnlyList<CaseRecordElsewhere> Elsewhere { get; init; } = [];
}

/// <summary>
/// Told after a case transaction committed (page notifications, metrics). Never inside the
/// transaction; a failure is logged and does not undo or fail the change.
/// </summary>
public interface ICaseObserver
{
    Task CommittedAsync(CaseCommitted committed, CancellationToken ct);
}

/// <summary>The work of a change inside its transaction; return a refusal to roll it back.</summary>
public delegate Task<CaseChange?> CaseWork(CaseTransaction tx);
