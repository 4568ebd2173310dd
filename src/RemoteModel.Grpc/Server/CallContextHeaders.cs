using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace RemoteModel.Grpc.Server;

/// <summary>Reads a request header of a call ASP.NET Core serves where it arrived.</summary>
public static class CallContextHeaders
{
    /// <summary>
    /// The text header <paramref name="name"/> of the call, as <see cref="ServerCallContext.RequestHeaders"/>
    /// would give it (null when absent, repeated values joined by commas), read from the request itself:
    /// <see cref="ServerCallContext.RequestHeaders"/> copies every header of the call into a <see cref="Metadata"/>
    /// first, a cost the checks every call makes need not pay. Not for <c>-bin</c> headers, which arrive in base64.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call is not served by ASP.NET Core (grpc-dotnet's <c>GetHttpContext</c>).</exception>
    public static string? RequestHeader(this ServerCallContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        var call = context is StoppableCallContext stoppable ? stoppable.Call : context;
        return call.GetHttpContext().Request.Headers.TryGetValue(name, out var values) ? (string?)values : null;
    }
}
