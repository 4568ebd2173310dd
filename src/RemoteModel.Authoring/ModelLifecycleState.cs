namespace RemoteModel.Models;

/// <summary>
/// The states of <see cref="IModelLifecycle{TConfiguration}"/>, for <see cref="OperationAttribute.AllowedIn"/>;
/// numbered as the protocol's <c>LifecycleState</c>, which Describe and notifications carry.
/// </summary>
public enum ModelLifecycleState
{
    /// <summary>Created, not yet initialised (and again after deinit).</summary>
    Uninitialized = 1,

    /// <summary>Initialised; not configured (and again after invalidate).</summary>
    Initialized = 2,

    /// <summary>Configured and running.</summary>
    Configured = 3,

    /// <summary>A transition failed; only deinit is allowed.</summary>
    Faulted = 4,
}
