using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;

namespace RemoteModel.Models;

/// <summary>The host's side of its model's exclusive lock (<see cref="ModelLock"/>): taking, holding, releasing, and refusing everyone else's changes meanwhile.</summary>
public sealed partial class ModelHost
{
    /// <summary>
    /// Takes the model's lock as a lease of <paramref name="validity"/> (null: the configured default,
    /// 10 s), or renews the caller's lease for that long from now.
    /// </summary>
    /// <exception cref="ModelException">FAILED_PRECONDITION naming who holds it; INVALID_ARGUMENT for a validity not above zero or above the configured maximum.</exception>
    public LockInfo Lock(string caller, TimeSpan? validity = null)
    {
        lock (_gate)
        {
            try
            {
                var lease = validity ?? _lockValidity;
                if (lease <= TimeSpan.Zero || lease > _maxLockValidity)
                {
                    throw new ModelException(ModelErrorReason.InvalidArgument,
                        $"a lock's validity must be above 0 and at most {_maxLockValidity.TotalSeconds:0.###} s, not {lease.TotalSeconds:0.###} s");
                }

                var answer = _lock.Lease(caller, lease);
                return answer.Lock ?? throw new ModelException(ModelErrorReason.FailedPrecondition, answer.Refusal!);
            }
            catch (ModelException ex)
            {
                _audit.Refused(caller, "lock", [], _changes.Version, ex);
                throw;
            }
        }
    }

    /// <summary>Takes the model's lock for as long as the returned hold is not ended with <see cref="EndHold"/> (a HoldLock stream's life).</summary>
    /// <exception cref="ModelException">FAILED_PRECONDITION naming who holds it.</exception>
    private LockHold HoldLock(string caller)
    {
        lock (_gate)
        {
            var (hold, refusal) = _lock.Hold(caller);
            if (hold is null)
            {
                var refused = new ModelException(ModelErrorReason.FailedPrecondition, refusal!);
                _audit.Refused(caller, "lock", [], _changes.Version, refused);
                throw refused;
            }

            return hold;
        }
    }

    /// <summary>Releases the lock if <paramref name="hold"/> still holds it: its stream ended.</summary>
    private void EndHold(LockHold hold)
    {
        lock (_gate)
        {
            _lock.EndHold(hold);
        }
    }

    ValueTask<LockResponse> IServedModel.LockAsync(LockRequest request, string caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new LockResponse { Lock = Lock(caller, request.Validity?.ToTimeSpan()) });

    ValueTask<UnlockResponse> IServedModel.UnlockAsync(UnlockRequest request, string caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new UnlockResponse { Released = Unlock(caller, request.Force) });

    async ValueTask<LockInfo> IServedModel.HoldLockAsync(string caller, Func<LockEvent, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var hold = HoldLock(caller);
        try
        {
            await write(new LockEvent { Lock = hold.Lock }, cancellationToken).ConfigureAwait(false);
            await hold.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The holder went away (or the server stops): released below.
            return hold.Lock;
        }
        finally
        {
            EndHold(hold);
        }

        return hold.BrokenBy is { } breaker
            ? throw new ModelException(ModelErrorReason.Aborted, $"the lock of model '{Name}' was broken by {breaker}")
            : hold.Lock;
    }

    /// <summary>Releases the caller's own lock, or with <paramref name="force"/> breaks whoever's it is (the caller was checked for scope admin); answers the lock released, or null when none was held.</summary>
    /// <exception cref="ModelException">FAILED_PRECONDITION when someone else holds it and <paramref name="force"/> is not set.</exception>
    public LockInfo? Unlock(string caller, bool force = false)
    {
        lock (_gate)
        {
            if (force)
            {
                return _lock.Break(caller);
            }

            var answer = _lock.Release(caller);
            if (answer.Refusal is { } refusal)
            {
                var refused = new ModelException(ModelErrorReason.FailedPrecondition, refusal);
                _audit.Refused(caller, "unlock", [], _changes.Version, refused);
                throw refused;
            }

            return answer.Lock;
        }
    }

    /// <summary>Refuses <paramref name="caller"/>'s change while someone else holds the lock; called under the change lock.</summary>
    private void CheckLock(string caller)
    {
        if (_lock.Refusal(caller) is { } refusal)
        {
            throw new ModelException(ModelErrorReason.FailedPrecondition, refusal);
        }
    }

    /// <summary>Tells the viewers (a LOCK notification, the version unchanged), the audit and the log; called under the change lock.</summary>
    private void OnLockChanged(LockChange change)
    {
        var action = change.Kind switch
        {
            LockChangeKind.Taken => "lock",
            LockChangeKind.Released => "unlock",
            LockChangeKind.Broken => "break-lock",
            _ => "lock-lapsed",
        };
        var held = change.Lock;
        var note = change.Kind is LockChangeKind.Broken or LockChangeKind.Lapsed
            ? $"{change.Note}; it was held by {held.Holder} since {ModelLock.Format(held.Since.ToDateTimeOffset())}"
            : change.Note;
        _audit.Applied(change.By, action, [], _changes.Version, note);
        _viewers.PublishLock(new Notification
        {
            Kind = Notification.Types.Kind.Lock,
            Epoch = Epoch,
            Version = _changes.Version,
            Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            ChangedBy = change.By,
            Cause = action,
            Lock = change.Kind == LockChangeKind.Taken ? held : null,
        });
    }

    /// <summary>The lease timer's call: frees a lapsed lease under the change lock.</summary>
    private void OnLeaseDue()
    {
        lock (_gate)
        {
            _lock.Lapse();
        }
    }
}
