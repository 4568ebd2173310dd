using Grpc.Core;

namespace RemoteModel.Models.Server;

/// <summary>
/// Lets every call through and takes the caller's word for who it is: the
/// <c>remotemodel-caller</c> metadata header, or else the peer address. The default until keys
/// are configured; it authenticates nothing.
/// </summary>
public sealed class CallerHeaderAuthorizer : IModelAuthorizer
{
    /// <summary>The metadata header naming the caller.</summary>
    public const string CallerHeader = "remotemodel-caller";

    /// <summary>The one instance.</summary>
    public static readonly CallerHeaderAuthorizer Instance = new();

    /// <inheritdoc />
    public ValueTask<string> AuthorizeAsync(ServerCallContext context, ModelAction action, string model) =>
        ValueTask.FromResult(ClaimedCaller(context) ?? context.Peer);

    /// <summary>Who the call says it comes from, unverified; null when it does not say (or claims to be the model itself).</summary>
    public static string? ClaimedCaller(ServerCallContext context) =>
        context.RequestHeaders.GetValue(CallerHeader) is { Length: > 0 } caller && caller != ModelHost.ModelIdentity ? caller : null;
}
