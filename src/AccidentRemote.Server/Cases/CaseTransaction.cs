using System.Data.Common;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Telemetry;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Opens the one kind of transaction every change to a case goes through: the case is loaded
/// in it, the caller's right to act is decided by one rule (<see cref="CaseAccessRule.MayAct"/>)
/// and the action by the <see cref="CaseStateMachine"/>, before any work is done.
/// </summary>
public sealed class CaseTransactions(
    Db db, TimeProvider clock, IEnumerable<ICaseGuard> guards, IEnumerable<ICaseCommitHook> hooks, IEnumerable<ICaseObserver> observers,
    ILogger<CaseTransactions> log)
{
    private readonly ICaseGuard[] guards = guards.ToArray();
    private readonly ICaseCommitHook[] hooks = hooks.ToArray();
    private readonly ICaseObserver[] observers = observers.ToArray();

    /// <summary>
    /// Loads the case in a new transaction and decides whether <paramref name="actor"/> may take
    /// <paramref name="action"/> (a transition of <see cref="CaseStateMachine"/>, or null for a
    /// change that moves no state, whose state rules the caller checks on <see cref="CaseTransaction.Details"/>).
    /// Refused: nothing was changed and nothing stays open.
    /// </summary>
    public async Task<CaseBegin> BeginAsync(Guid caseId, CaseActor actor, string? action, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var c = await db.OpenAsync(ct);
        DbTransaction? dbTx = null;
        try
        {
            dbTx = await c.BeginTransactionAsync(ct);
            var details = await CaseReads.LoadAsync(c, dbTx, caseId);
            var refusal = details is null ? new CaseChange.NotFound() : CaseAccessRule.MayAct(actor, details, action);
            if (refusal is null)
            {
                var tx = new CaseTransaction(this, c, dbTx, db.Provider, details!, actor, action, now);
                foreach (var guard in guards)
                {
                    if (await guard.RefusalAsync(tx, ct) is { } reason)
                    {
                        refusal = new CaseChange.WrongState(details!.Case.Status, reason);
                        break;
                    }
                }

                if (refusal is null)
                {
                    return new CaseBegin(tx, null);
                }
            }

            await dbTx.DisposeAsync();
            await c.DisposeAsync();
            return new CaseBegin(null, refusal);
        }
        catch
        {
            if (dbTx is not null)
            {
                await dbTx.DisposeAsync();
            }

            await c.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Opens a transaction for a case that does not exist yet: <paramref name="insert"/> (the store's
    /// insert of the case and its first party, given the connection, the transaction and the one time
    /// of the change) runs in it and returns the new case's id; the caller then records its events
    /// (<see cref="CaseTransaction.Record"/>) and commits. No access rule or guard: nobody acts on
    /// a case before it exists. If the insert throws, nothing stays open and the exception goes on.
    /// </summary>
    public async Task<CaseTransaction> BeginNewAsync(
        CaseActor actor, Func<DbConnection, DbTransaction, DateTimeOffset, Task<Guid>> insert, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var c = await db.OpenAsync(ct);
        DbTransaction? dbTx = null;
        try
        {
            dbTx = await c.BeginTransactionAsync(ct);
            var caseId = await insert(c, dbTx, now);
            var details = await CaseReads.LoadAsync(c, dbTx, caseId)
                ?? throw new InvalidOperationException("The insert of a new case did not insert the case it named.");
            return new CaseTransaction(this, c, dbTx, db.Provider, details, actor, null, now, created: true);
        }
        catch
        {
            if (dbTx is not null)
            {
                await dbTx.DisposeAsync();
            }

            await c.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Begins, runs <paramref name="work"/>, commits: the whole of most changes. Returns the
    /// refusal (of the begin, the work or a hook), or <see cref="CaseChange.Done"/> with the case as committed.
    /// </summary>
    public async Task<CaseChange> RunAsync(Guid caseId, CaseActor actor, string? action, CaseWork work, CancellationToken ct)
    {
        var begin = await BeginAsync(caseId, actor, action, ct);
        if (begin.Refused)
        {
            return begin.Refusal;
        }

        await using var tx = begin.Transaction;
        return await work(tx) ?? await tx.CommitAsync(ct);
    }

    internal async Task<CaseChange?> BeforeCommitAsync(CaseTransaction tx, CaseDetails after, CancellationToken ct)
    {
        foreach (var hook in hooks)
        {
            if (await hook.BeforeCommitAsync(tx, after, ct) is { } refused)
            {
                return refused;
            }
        }

        return null;
    }

    internal async Task AfterCommitAsync(CaseCommitted committed, IReadOnlyList<Func<Task>> actions, CancellationToken ct)
    {
        foreach (var action in actions)
        {
            await Safely(action, committed);
        }

        foreach (var observer in observers)
        {
            await Safely(() => observer.CommittedAsync(committed, ct), committed);
        }
    }

    private async Task Safely(Func<Task> action, CaseCommitted committed)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            // The change is committed: a listener that failed must not turn it into an error.
            log.LogWarning(ex, "After-commit work for case {CaseId} failed.", committed.Case.Case.Id);
        }
    }
}

/// <summary>
/// One open change to one case. The owning feature's store runs its own SQL on
/// <see cref="Connection"/> and <see cref="Transaction"/>; <see cref="Record"/> (and
/// <see cref="RecordOn"/>, for another case changed in the same database transaction) is the only
/// writer of the case's timeline and audit log; <see cref="MoveToAsync"/> moves the state;
/// <see cref="CommitAsync"/> runs the hooks, commits and tells the observers. Disposed without
/// a commit, everything rolls back.
/// </summary>
public sealed class CaseTransaction : IAsyncDisposable
{
    private readonly CaseTransactions owner;
    private readonly List<(Guid CaseId, CaseRecord Record, string? AuditDetail)> records = [];
    private readonly List<Func<Task>> afterCommit = [];
    private readonly bool created;
    private bool done;

    internal CaseTransaction(
        CaseTransactions owner, DbConnection connection, DbTransaction transaction, DatabaseProvider provider,
        CaseDetails details, CaseActor actor, string? action, DateTimeOffset now, bool created = false)
    {
        this.created = created;
        this.owner = owner;
        Connection = connection;
        Transaction = transaction;
        Provider = provider;
        Details = details;
        Actor = actor;
        Action = action;
        Now = now;
        Status = details.Case.Status;
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    /// <summary>The database in use, for the few statements that differ between providers.</summary>
    public DatabaseProvider Provider { get; }

    /// <summary>The case as loaded at the begin, inside this transaction.</summary>
    public CaseDetails Details { get; }

    public Guid CaseId => Details.Case.Id;

    public CaseActor Actor { get; }

    /// <summary>The state machine's action this transaction was begun for, or null.</summary>
    public string? Action { get; }

    /// <summary>The one time of this change: every row it writes carries it.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The case's state as it stands in this transaction (after <see cref="MoveToAsync"/>).</summary>
    public string Status { get; private set; }

    /// <summary>
    /// Records an event on the case's timeline and in the audit log (with <paramref name="auditDetail"/>
    /// when the log keeps more than the timeline shows), by <see cref="Actor"/> at <see cref="Now"/>.
    /// Written in order at <see cref="CommitAsync"/>; the observers get <paramref name="subject"/> with it (never written).
    /// <paramref name="by"/> names another actor for this record: a joiner, who becomes a party in this transaction.
    /// </summary>
    public void Record(string kind, string? detail = null, string? auditDetail = null, object? subject = null, CaseActor? by = null) =>
        records.Add((CaseId, new CaseRecord(kind, detail, subject, by ?? Actor), auditDetail ?? detail));

    /// <summary>
    /// Records an event on another case, changed in this same database transaction: the other report
    /// linked as a possible duplicate, the report a merge absorbs. Its own rows the caller's store
    /// writes on <see cref="Connection"/>; the observers get it in <see cref="CaseCommitted.Elsewhere"/>.
    /// </summary>
    public void RecordOn(Guid caseId, string kind, string? detail = null, object? subject = null, CaseActor? by = null) =>
        records.Add((caseId, new CaseRecord(kind, detail, subject, by ?? Actor), detail));

    /// <summary>
    /// Moves the case to <paramref name="status"/> with a conditional update from the state it is
    /// in, and records the move (event <paramref name="kind"/>, the new status unless named). A
    /// change that committed in between makes this one the loser: refused, to be returned as it is.
    /// </summary>
    public async Task<CaseChange?> MoveToAsync(string status, string? detail = null, string? kind = null)
    {
        if (!CaseStateMachine.Transitions.Any(t => t.To == status && t.From.Contains(Status)))
        {
            throw new InvalidOperationException($"The state machine has no way from {Status} to {status}.");
        }

        var moved = await Connection.ExecuteAsync("UPDATE cases SET status = @to WHERE id = @caseId AND status = @from",
            new { to = status, from = Status, caseId = CaseId }, Transaction);
        if (moved == 0)
        {
            return new CaseChange.WrongState(Status, ServerText.Get("Case.Concurrent"));
        }

        Status = status;
        Record(kind ?? status, detail);
        return null;
    }

    /// <summary>
    /// Work to do once the change has committed (waking a background worker); failures are logged. Pages are
    /// told by an <see cref="ICaseObserver"/> (Signalling's), from what was recorded, not from here.
    /// </summary>
    public void AfterCommit(Func<Task> action) => afterCommit.Add(action);

    /// <summary>
    /// Runs the commit hooks with the case as it now stands, writes the recorded events, commits,
    /// then runs the after-commit work and tells the observers. A hook's refusal rolls back.
    /// </summary>
    public async Task<CaseChange> CommitAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(done, this);
        // The transaction's span: the hooks' work (claims enqueued on close) hangs under it. Ids and the action only.
        // Linked to the report request's trace, so a case's whole story can be followed from its close.
        var report = Tracing.ParentFrom(Details.Case.ReportTraceparent);
        var spanAction = Action ?? (created ? "report" : "change");
        using var activity = Tracing.Source.StartActivity("case " + spanAction, System.Diagnostics.ActivityKind.Internal,
            System.Diagnostics.Activity.Current?.Context ?? default, links: report == default ? null : [new System.Diagnostics.ActivityLink(report)]);
        activity?.SetTag("accidentremote.case.id", CaseId.ToString());
        activity?.SetTag("accidentremote.case.action", spanAction);
        var after = (await CaseReads.LoadAsync(Connection, Transaction, CaseId))!;
        if (await owner.BeforeCommitAsync(this, after, ct) is { } refused)
        {
            return refused;
        }

        foreach (var (caseId, record, auditDetail) in records)
        {
            await CaseEvents.WriteAsync(Connection, Transaction, Provider, caseId, record.Kind, record.By.Name, record.Detail, auditDetail, Now);
        }

        await Transaction.CommitAsync(ct);
        done = true;
        var committed = new CaseCommitted(after, Details.Case.Status, Actor, Action, records.Where(r => r.CaseId == CaseId).Select(r => r.Record).ToList())
        {
            Created = created,
            Elsewhere = records.Where(r => r.CaseId != CaseId).Select(r => new CaseRecordElsewhere(r.CaseId, r.Record)).ToList(),
        };
        await owner.AfterCommitAsync(committed, afterCommit, ct);
        return new CaseChange.Done(after);
    }

    public async ValueTask DisposeAsync()
    {
        done = true;
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
