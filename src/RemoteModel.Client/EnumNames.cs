using System.Reflection;
using System.Text;
using Google.Protobuf.Reflection;

namespace RemoteModel.Client;

/// <summary>Enum members as the protocol spells them: <c>OUT_OF_RANGE</c>, <c>EVERY_CHANGE</c>, <c>CONFIGURED</c>.</summary>
internal static class EnumNames
{
    /// <summary>A protobuf enum member's name in its .proto file; any other member's name in upper snake case.</summary>
    public static string Of(Enum value)
    {
        var name = value.ToString();
        var member = value.GetType().GetField(name, BindingFlags.Public | BindingFlags.Static);
        if (member?.GetCustomAttribute<OriginalNameAttribute>() is { } original)
        {
            return original.Name;
        }

        if (member is null || name.All(c => !char.IsLower(c)))
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
