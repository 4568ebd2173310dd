namespace RemoteModel.Models;

/// <summary>
/// The lab systems' mandatory lifecycle, enforced by the host as a state machine:
/// UNINITIALIZED -init-> INITIALIZED -configure-> CONFIGURED -invalidate-> INITIALIZED -deinit->
/// UNINITIALIZED. A transition that throws leaves the model FAULTED, where only deinit is allowed.
/// The transitions are invoked as the operations <c>init</c>, <c>configure</c>, <c>invalidate</c>
/// and <c>deinit</c>.
/// </summary>
/// <typeparam name="TConfiguration">
/// What configure takes: its public read-write properties are the configuration parameters
/// (described with <see cref="ModelPropertyAttribute"/>), and a new instance's values their defaults.
/// </typeparam>
public interface IModelLifecycle<in TConfiguration>
    where TConfiguration : new()
{
    /// <summary>Acquires what the model needs (connections, hardware).</summary>
    void Init();

    /// <summary>Applies a configuration and starts running.</summary>
    void Configure(TConfiguration configuration);

    /// <summary>Stops running and forgets the configuration.</summary>
    void Invalidate();

    /// <summary>Releases what <see cref="Init"/> acquired.</summary>
    void Deinit();
}
