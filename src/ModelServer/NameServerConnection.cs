using RemoteModel.Naming.Client;
using RemoteModel.Transport.Client;

namespace RemoteModel.ModelServer;

/// <summary>
/// The model server's one channel to the name server, shared by every hold it keeps there (its
/// models and their viewers: one stream each); no channel when registration is switched off.
/// </summary>
internal sealed class NameServerConnection(ModelServerOptions options) : IDisposable
{
    /// <summary>The channel, or null under <see cref="ModelServerOptions.NoRegistration"/>.</summary>
    public GrpcChannel? Channel { get; } = options.NoRegistration ? null : RegistrationKeeper.CreateChannel(NameServerLocator.Resolve(options.NameServer));

    public void Dispose() => Channel?.Dispose();
}
