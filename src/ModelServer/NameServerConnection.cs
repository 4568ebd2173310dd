using RemoteModel.Naming.Client;
using RemoteModel.Security;
using RemoteModel.Grpc.Client;

namespace RemoteModel.ModelServer;

/// <summary>
/// The model server's one channel to the name server, shared by every hold it keeps there (its
/// models and their viewers: one stream each); no channel when registration is switched off.
/// </summary>
internal sealed class NameServerConnection(ModelServerOptions options, ServerAuthentication authentication) : IDisposable
{
    /// <summary>
    /// The channel, signed as the server's own calls are (<see cref="ServerAuthentication.Signer"/>:
    /// unsigned when its authentication is off); null under <see cref="ModelServerOptions.NoRegistration"/>.
    /// </summary>
    public SignedChannel? Channel { get; } = options.NoRegistration
        ? null
        : RegistrationKeeper.CreateChannel(NameServerLocator.Resolve(options.NameServer), authentication.Signer);

    public void Dispose() => Channel?.Dispose();
}
