using Grpc.Core;

namespace RemoteModel.Grpc.Server;

/// <summary>A call's context whose cancellation also fires when the server stops (<paramref name="stopping"/>); everything else is the call's own.</summary>
internal sealed class StoppableCallContext(ServerCallContext call, CancellationToken cancellationToken, CancellationToken stopping) : ServerCallContext
{
    /// <summary>Whether the server is stopping: known from the context itself, so no call needs an entry in its user state for it.</summary>
    public bool IsStopping => stopping.IsCancellationRequested;

    /// <summary>The call's own context, which this one wraps.</summary>
    public ServerCallContext Call => call;

    protected override string MethodCore => call.Method;

    protected override string HostCore => call.Host;

    protected override string PeerCore => call.Peer;

    protected override DateTime DeadlineCore => call.Deadline;

    protected override Metadata RequestHeadersCore => call.RequestHeaders;

    protected override CancellationToken CancellationTokenCore => cancellationToken;

    protected override Metadata ResponseTrailersCore => call.ResponseTrailers;

    protected override Status StatusCore
    {
        get => call.Status;
        set => call.Status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => call.WriteOptions;
        set => call.WriteOptions = value;
    }

    protected override AuthContext AuthContextCore => call.AuthContext;

    protected override IDictionary<object, object> UserStateCore => call.UserState;

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => call.CreatePropagationToken(options);

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => call.WriteResponseHeadersAsync(responseHeaders);
}
