using System.Buffers;

namespace RemoteModel.Naming;

/// <summary>
/// Registry names: '/'-separated segments of letters, digits, '.', '_' and '-', such as
/// <c>lab1/stage/x</c>; at most 255 characters.
/// </summary>
public static class NameRules
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 255;

    private static readonly SearchValues<char> SegmentCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    /// <summary>Why <paramref name="name"/> is not a valid name, or null when it is.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a name is required";
        }

        if (name.Length > MaxLength)
        {
            return $"it is {name.Length} characters long; at most {MaxLength} are allowed";
        }

        // Segment by segment in place: a lookup checks its name, and splitting would allocate every segment.
        var start = 0;
        for (var i = 0; ; i++)
        {
            var end = name.IndexOf('/', start);
            var last = end < 0;
            var segment = name.AsSpan(start, (last ? name.Length : end) - start);
            if (segment.IsEmpty)
            {
                return i == 0 ? "it starts with '/'" : last ? "it ends with '/'" : "it has an empty segment ('//')";
            }

            var wrong = segment.IndexOfAnyExcept(SegmentCharacters);
            if (wrong >= 0)
            {
                return $"it has the character '{segment[wrong]}'";
            }

            if (last)
            {
                return null;
            }

            start = end + 1;
        }
    }

    /// <summary>A message for people explaining why <paramref name="name"/> was refused.</summary>
    public static string Explain(string? name, string problem) =>
        $"'{name}' is not a valid name: {problem}. Names are '/'-separated segments of letters, digits, '.', '_' and '-', such as lab1/stage/x.";
}
