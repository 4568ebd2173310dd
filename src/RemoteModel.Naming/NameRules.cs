namespace RemoteModel.Naming;

/// <summary>
/// Registry names: '/'-separated segments of letters, digits, '.', '_' and '-', such as
/// <c>lab1/stage/x</c>; at most 255 characters.
/// </summary>
public static class NameRules
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 255;

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

        var segments = name.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                return i == 0 ? "it starts with '/'" : i == segments.Length - 1 ? "it ends with '/'" : "it has an empty segment ('//')";
            }

            foreach (var c in segment)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                {
                    return $"it has the character '{c}'";
                }
            }
        }

        return null;
    }

    /// <summary>A message for people explaining why <paramref name="name"/> was refused.</summary>
    public static string Explain(string? name, string problem) =>
        $"'{name}' is not a valid name: {problem}. Names are '/'-separated segments of letters, digits, '.', '_' and '-', such as lab1/stage/x.";
}
