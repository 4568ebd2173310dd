namespace RemoteModel.Security.Keys;

/// <summary>
/// A pattern of <c>/</c>-separated names a key is limited to: <c>*</c> matches one segment or
/// part of one (<c>stage/*</c> matches <c>stage/1</c>, not <c>stage/1/x</c>); <c>**</c> as a whole
/// segment matches zero or more segments (<c>ticker/**</c> matches <c>ticker</c> and <c>ticker/viewers/v1</c>).
/// </summary>
public sealed class NamePattern
{
    private readonly string[] _segments;

    private NamePattern(string text)
    {
        Text = text;
        _segments = text.Split('/');
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Reads a pattern.</summary>
    /// <exception cref="FormatException">It is empty or has an empty segment.</exception>
    public static NamePattern Parse(string text)
    {
        if (string.IsNullOrEmpty(text) || text.Split('/').Any(s => s.Length == 0))
        {
            throw new FormatException($"'{text}' is not a name pattern: segments separated by '/', none empty (stage/*, ticker/**).");
        }

        if (text.Split('/').Any(s => s.Contains("**", StringComparison.Ordinal) && s != "**"))
        {
            throw new FormatException($"'{text}' is not a name pattern: '**' stands only as a whole segment.");
        }

        return new NamePattern(text);
    }

    /// <summary>Whether <paramref name="name"/> matches.</summary>
    public bool Matches(string name) => Matches(_segments, 0, name.Split('/'), 0);

    /// <inheritdoc />
    public override string ToString() => Text;

    private static bool Matches(string[] pattern, int p, string[] name, int n)
    {
        while (p < pattern.Length)
        {
            if (pattern[p] == "**")
            {
                for (var skip = n; skip <= name.Length; skip++)
                {
                    if (Matches(pattern, p + 1, name, skip))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (n >= name.Length || !SegmentMatches(pattern[p], name[n]))
            {
                return false;
            }

            p++;
            n++;
        }

        return n == name.Length;
    }

    private static bool SegmentMatches(string pattern, string segment)
    {
        // Glob with '*' only: each literal piece in order, the first anchored at the start and the last at the end.
        var pieces = pattern.Split('*');
        if (pieces.Length == 1)
        {
            return pattern == segment;
        }

        if (!segment.StartsWith(pieces[0], StringComparison.Ordinal) || !segment.EndsWith(pieces[^1], StringComparison.Ordinal)
            || segment.Length < pieces[0].Length + pieces[^1].Length)
        {
            return false;
        }

        var position = pieces[0].Length;
        var end = segment.Length - pieces[^1].Length;
        for (var i = 1; i < pieces.Length - 1; i++)
        {
            var found = segment.IndexOf(pieces[i], position, end - position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + pieces[i].Length;
        }

        return true;
    }
}
