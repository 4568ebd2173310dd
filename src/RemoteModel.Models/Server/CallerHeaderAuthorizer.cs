using Grpc.Core;
using RemoteModel.Grpc.Server;

namespace RemoteModel.Models.Server;

/// <summary>
/// Lets every call through and takes the caller's word for who it is: the
/// <c>remotemodel-caller</c> metadata header, or else the peer address, and, for a call a relay
/// passes on, whom it acts for (<c>remotemodel-on-behalf-of</c>: <c>alice via relay-2</c>). The
/// default until keys are configured; it authenticates nothing.
/// </summary>
public sealed class CallerHeaderAuthorizer : IModelAuthorizer
{
    /// <summary>The metadata header naming the caller.</summary>
    public const string CallerHeader = "remotemodel-caller";

    /// <summary>
    /// The metadata header a relay server sets on the calls it passes to its source: the identity of
    /// the caller it acts for, as the relay established it. <see cref="KeyModelAuthorizer"/> heeds it
    /// only on a call signed with a verified key.
    /// </summary>
    public const string OnBehalfOfHeader = "remotemodel-on-behalf-of";

    /// <summary>The one instance.</summary>
    public static readonly CallerHeaderAuthorizer Instance = new();

    /// <inheritdoc />
    public ValueTask<string> AuthorizeAsync(ServerCallContext context, ModelAction action, string model) =>
        ValueTask.FromResult(Relayed(context, ClaimedCaller(context) ?? context.Peer));

    /// <summary>Who the call says it comes from, unverified; null when it does not say (or claims to be the model itself).</summary>
    public static string? ClaimedCaller(ServerCallContext context) =>
        context.RequestHeader(CallerHeader) is { Length: > 0 } caller && caller != ModelHost.ModelIdentity ? caller : null;

    /// <summary><paramref name="caller"/>, acting for the caller a relay named (<c>alice via relay-2</c>), or as it is when the call names nobody else.</summary>
    internal static string Relayed(ServerCallContext context, string caller) =>
        context.RequestHeader(OnBehalfOfHeader) is { Length: > 0 } origin && origin != ModelHost.ModelIdentity ? $"{origin} via {caller}" : caller;
}
