using System.Text;
using RemoteModel.Transport;

namespace RemoteModel.Client;

/// <summary>Status codes as gRPC spells them: <c>OUT_OF_RANGE</c>, <c>UNAVAILABLE</c>.</summary>
internal static class StatusNames
{
    /// <summary>The canonical name of <paramref name="code"/>.</summary>
    public static string Of(StatusCode code)
    {
        var name = code.ToString();
        if (code == StatusCode.OK || !Enum.IsDefined(code))
        {
            return name.ToUpperInvariant();
        }

        var text = new StringBuilder();
        foreach (var c in name)
        {
            text.Append(char.IsUpper(c) && text.Length > 0 ? "_" : string.Empty).Append(char.ToUpperInvariant(c));
        }

        return text.ToString();
    }
}
