using Grpc.Core;
using System.Text.RegularExpressions;

namespace RemoteModel.Web.Live;

/// <summary>A refused or failed call as a page shows it: the server's words and the status, <c>property 'Rate': 500 is outside 0.1..100 Hz (OUT_OF_RANGE)</c>.</summary>
internal static partial class CallProblem
{
    public static string Describe(RpcException exception) =>
        $"{(exception.Status.Detail.Length > 0 ? exception.Status.Detail : "no detail")} ({Snake().Replace(exception.StatusCode.ToString(), "$1_$2").ToUpperInvariant()})";

    /// <summary>The property a refusal is about, when its message names one (<c>property 'Rate': ...</c>).</summary>
    public static string? Property(RpcException exception)
    {
        var detail = exception.Status.Detail;
        var start = detail.IndexOf("property '", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += "property '".Length;
        var end = detail.IndexOf('\'', start);
        return end > start ? detail[start..end] : null;
    }

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex Snake();
}
