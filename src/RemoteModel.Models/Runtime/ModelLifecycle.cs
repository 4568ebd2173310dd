using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// A hosted model's lifecycle state and what it allows: which transitions and operations may run
/// now, and the transitions themselves (a refused argument leaves the state as it was; a transition
/// that throws leaves the model FAULTED). A model without <see cref="IModelLifecycle{TConfiguration}"/>
/// stays UNSPECIFIED and allows everything. Used only under the host's change lock.
/// </summary>
internal sealed class ModelLifecycle(LifecycleBinding? binding)
{
    /// <summary>The current state.</summary>
    public LifecycleState State { get; private set; } = binding is null ? LifecycleState.Unspecified : LifecycleState.Uninitialized;

    /// <summary>The names the transitions are invoked by, none for a model without a lifecycle.</summary>
    public IEnumerable<string> TransitionNames => binding is null ? [] : [LifecycleBinding.Init, LifecycleBinding.Configure, LifecycleBinding.Invalidate, LifecycleBinding.Deinit];

    /// <summary>The protocol's state for an authored one.</summary>
    public static LifecycleState ToProtocol(ModelLifecycleState state) => state switch
    {
        ModelLifecycleState.Uninitialized => LifecycleState.Uninitialized,
        ModelLifecycleState.Initialized => LifecycleState.Initialized,
        ModelLifecycleState.Configured => LifecycleState.Configured,
        ModelLifecycleState.Faulted => LifecycleState.Faulted,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not a lifecycle state"),
    };

    /// <summary>Whether <paramref name="operation"/> names a transition of this model.</summary>
    public bool IsTransition(string operation) => binding is not null && LifecycleBinding.IsTransition(operation);

    /// <summary>Adds the transitions and the state to a description.</summary>
    public void Describe(ModelDescription description)
    {
        if (binding is not null)
        {
            description.Operations.AddRange(binding.DescribeOperations());
            description.Lifecycle = binding.Describe(State);
        }
    }

    /// <exception cref="ModelException">FAILED_PRECONDITION when <paramref name="operation"/> is not allowed in the current state.</exception>
    public void CheckAllowed(OperationBinding operation)
    {
        if (operation.AllowedIn.Count > 0 && !operation.AllowedIn.Contains(State))
        {
            throw new ModelException(ModelErrorReason.FailedPrecondition,
                $"operation '{operation.Name}' is allowed only in {string.Join(", ", operation.AllowedIn.Select(Name))}; the model is {Name(State)}");
        }
    }

    /// <summary>
    /// Runs the transition <paramref name="operation"/> on <paramref name="model"/>. The new state
    /// (FAULTED should it throw) is set before this returns; a failure is returned, not thrown, so the
    /// caller commits what the transition changed before answering with it.
    /// </summary>
    /// <exception cref="ModelException">
    /// FAILED_PRECONDITION when the transition is not allowed now, INVALID_ARGUMENT or OUT_OF_RANGE for
    /// its arguments: nothing ran and the state stays.
    /// </exception>
    public ModelException? Transition(object model, string operation, IReadOnlyDictionary<string, Value> arguments)
    {
        var lifecycle = binding ?? throw new InvalidOperationException("The model has no lifecycle.");
        var allowed = LifecycleBinding.Allowed(State);
        if (!allowed.Contains(operation))
        {
            throw new ModelException(ModelErrorReason.FailedPrecondition,
                $"'{operation}' is not allowed while the model is {Name(State)}; allowed now: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}");
        }

        Action<object>? call = null;
        try
        {
            call = lifecycle.Bind(operation, arguments);
            call(model);
            State = LifecycleBinding.Target(operation);
            return null;
        }
        catch (ModelException) when (call is null)
        {
            // The arguments were refused before the transition ran: the state stays.
            throw;
        }
        catch (Exception ex)
        {
            State = LifecycleState.Faulted;
            var inner = ModelErrors.From(ex, operation);
            return new ModelException(inner.Reason, $"{inner.Message}; the model is now FAULTED (only deinit is allowed)");
        }
    }

    private static string Name(LifecycleState state) => state.ToString().ToUpperInvariant();
}
