using RemoteModel.Security;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Client;

/// <summary>How a client finds models and calls them.</summary>
public sealed class ClientOptions
{
    /// <summary>The name server for names without one; null: <c>$REMOTEMODEL_NAMESERVER</c>, then <c>http://127.0.0.1:9090</c>.</summary>
    public string? NameServer { get; init; }

    /// <summary>Who the calls are made as, in the servers' audit and in viewers' "by" lines. Default <c>user@host</c>.</summary>
    public string Caller { get; init; } = ClientConnections.DefaultCaller;

    /// <summary>
    /// Signs every call and checks every answer. Default: this process's usual key
    /// (<c>$REMOTEMODEL_KEY</c>, else the keyring's default key); null sends calls unsigned.
    /// </summary>
    public CallSigner? Signer { get; init; } = ClientCredentials.Default;

    /// <summary>How long one call may take before it fails with DEADLINE_EXCEEDED. Default 30 s.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A token every call also stops for, asked for at each call: a REPL hands the running
    /// evaluation's, so Ctrl+C cancels whatever the evaluation is waiting on. Null: none.
    /// </summary>
    public Func<CancellationToken>? Cancellation { get; init; }

    /// <summary>The options used when none are given.</summary>
    internal static ClientOptions Default { get; } = new();

    /// <summary>A token for one call: <paramref name="cancellationToken"/> and <see cref="Cancellation"/>'s, whichever fires first.</summary>
    internal CallCancellation Link(CancellationToken cancellationToken)
    {
        var ambient = Cancellation?.Invoke() ?? CancellationToken.None;
        return !ambient.CanBeCanceled ? new CallCancellation(cancellationToken, null)
            : !cancellationToken.CanBeCanceled ? new CallCancellation(ambient, null)
            : CallCancellation.Linked(CancellationTokenSource.CreateLinkedTokenSource(ambient, cancellationToken));
    }
}
