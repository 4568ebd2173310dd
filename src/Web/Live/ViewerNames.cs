using System.Collections.Concurrent;
using System.Text;

namespace RemoteModel.Web.Live;

/// <summary>
/// Names each open page's viewer so a person recognises it in the registry and in ListViewers:
/// <c>web-alice-1</c>, <c>web-alice-2</c>, ... (the user, then a count of this web view's pages for them).
/// </summary>
internal sealed class ViewerNames
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public string Next(string user)
    {
        var safe = Safe(user);
        return $"web-{safe}-{_counts.AddOrUpdate(safe, 1, (_, n) => n + 1)}";
    }

    /// <summary>The user as one name segment: letters, digits, '.', '_' and '-'.</summary>
    internal static string Safe(string user)
    {
        var text = new StringBuilder();
        foreach (var c in user.ToLowerInvariant())
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        }

        return text.Length == 0 ? "user" : text.ToString().Trim('.', '-');
    }
}
