using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace RemoteModel.Client;

/// <summary>Names and values from what a caller hands over: an anonymous object, a dictionary, or any object's public properties.</summary>
internal static class NamedValues
{
    /// <summary>
    /// <c>new { Rate = 5.0, Symbol = "X" }</c>, an <see cref="IDictionary"/> with string keys, an
    /// <c>IEnumerable&lt;KeyValuePair&lt;string, object?&gt;&gt;</c> (ExpandoObject included), or
    /// the public readable properties of any other object.
    /// </summary>
    /// <exception cref="ArgumentException">Nothing to read names from, or a key that is not a string.</exception>
    public static IReadOnlyDictionary<string, object?> From(object? values, string parameterName)
    {
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        switch (values)
        {
            case null:
                throw new ArgumentNullException(parameterName, "Name the values: new { Rate = 5.0 } or a dictionary.");
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (key, value) in pairs)
                {
                    named[key] = value;
                }

                break;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    named[entry.Key as string ?? throw new ArgumentException($"Names must be strings, not {entry.Key.GetType().Name}.", parameterName)] = entry.Value;
                }

                break;
            default:
                foreach (var property in values.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
                {
                    named[property.Name] = property.GetValue(values);
                }

                break;
        }

        return named.Count > 0 ? named : throw new ArgumentException($"No values to send in {values.GetType().Name}: name them, as in new {{ Rate = 5.0 }}.", parameterName);
    }

    /// <summary>Whether <paramref name="value"/> is an anonymous object (<c>new { a = 1 }</c>): a set of named arguments.</summary>
    public static bool IsAnonymous(object? value) =>
        value is not null
        && value.GetType().IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        && value.GetType().Name.Contains("AnonymousType", StringComparison.Ordinal);
}
