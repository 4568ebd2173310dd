namespace RemoteModel.Security.Keys;

/// <summary>What a key may do. <see cref="Admin"/> includes the other three.</summary>
[Flags]
public enum KeyScopes
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Look up, list and watch names; describe, query and subscribe to models (when reads are protected).</summary>
    Read = 1,

    /// <summary>Modify models, invoke their operations, set stream rates.</summary>
    Control = 2,

    /// <summary>Register names and hold, renew and end those registrations.</summary>
    Register = 4,

    /// <summary>Everything, and removing any registration.</summary>
    Admin = 8,
}

/// <summary>Scopes as the keyring file and the <c>keys</c> command write them.</summary>
public static class KeyScopeNames
{
    private static readonly (KeyScopes Scope, string Name)[] Names =
        [(KeyScopes.Read, "read"), (KeyScopes.Control, "control"), (KeyScopes.Register, "register"), (KeyScopes.Admin, "admin")];

    /// <summary>The scope called <paramref name="name"/>.</summary>
    /// <exception cref="FormatException">No scope has that name.</exception>
    public static KeyScopes Parse(string name) =>
        Names.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)).Scope is var scope && scope != KeyScopes.None
            ? scope
            : throw new FormatException($"'{name}' is not a scope: use read, control, register or admin.");

    /// <summary>The scopes called <paramref name="names"/>, together.</summary>
    /// <exception cref="FormatException">One of them is no scope.</exception>
    public static KeyScopes Parse(IEnumerable<string> names) => names.Aggregate(KeyScopes.None, (all, name) => all | Parse(name));

    /// <summary>The names of the scopes in <paramref name="scopes"/>, lowest first.</summary>
    public static IReadOnlyList<string> Format(KeyScopes scopes) =>
        [.. Names.Where(n => scopes.HasFlag(n.Scope)).Select(n => n.Name)];

    /// <summary>The name of one scope.</summary>
    public static string Name(KeyScopes scope) => Names.First(n => n.Scope == scope).Name;
}
