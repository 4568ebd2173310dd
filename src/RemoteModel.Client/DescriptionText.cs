using System.Text;
using Google.Protobuf.Collections;
using RemoteModel.Models;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using ValueType = RemoteModel.Models.V1.ValueType;

namespace RemoteModel.Client;

/// <summary>A model's schema as people read it: properties with types, units and ranges; operations with signatures; lifecycle and streams.</summary>
internal static class DescriptionText
{
    public static string Render(ModelDescription model)
    {
        var text = new StringBuilder($"{model.Model}: {model.TypeName} at v{model.Version}");
        if (model.Lock is { } held)
        {
            text.Append(", ").Append(held.ToDisplayString());
        }
        if (model.Description.Length > 0)
        {
            text.AppendLine().Append("  ").Append(model.Description);
        }

        text.AppendLine().AppendLine().Append(TextTable.Render(
            ["PROPERTY", "TYPE", "UNIT", "RANGE", "ACCESS", "DESCRIPTION"],
            model.Properties.Select(p => new[] { p.Name, Type(p.Type), p.Unit, Range(p.Minimum, p.Maximum), p.ReadOnly ? "read-only" : "writable", p.Description })));
        if (model.Operations.Count > 0)
        {
            text.AppendLine().AppendLine().Append(TextTable.Render(
                ["OPERATION", "RETURNS", "DESCRIPTION"],
                model.Operations.Select(o => new[] { Signature(o.Name, o.Parameters), o.Result is null ? "-" : Type(o.Result), o.Description })));
        }

        if (model.Lifecycle is { } lifecycle)
        {
            text.AppendLine().AppendLine().Append($"lifecycle: {EnumNames.Of(lifecycle.State)}; allowed now: {string.Join(", ", lifecycle.AllowedOperations)}");
            if (lifecycle.Configuration.Count > 0)
            {
                text.Append("; ").Append(Signature("configure", lifecycle.Configuration));
            }
        }

        foreach (var stream in model.Streams)
        {
            text.AppendLine().Append($"stream {stream.Name} ({string.Join(", ", stream.Properties)}): ")
                .Append(stream.Enabled ? $"{stream.RateHz:0.###} Hz" : "off").Append($", at most {stream.MaxRateHz:0.###} Hz");
        }

        return text.ToString();
    }

    /// <summary><c>MoveTo(target: DOUBLE mm 0..100, speed: INT = 5)</c>.</summary>
    private static string Signature(string name, RepeatedField<ParameterDescription> parameters) =>
        $"{name}({string.Join(", ", parameters.Select(Parameter))})";

    private static string Parameter(ParameterDescription p)
    {
        var text = new StringBuilder($"{p.Name}: {Type(p.Type)}");
        if (p.Unit.Length > 0)
        {
            text.Append(' ').Append(p.Unit);
        }

        if (Range(p.Minimum, p.Maximum) is { Length: > 0 } range)
        {
            text.Append(' ').Append(range);
        }

        if (p.DefaultValue is { } defaultValue)
        {
            text.Append(" = ").Append(defaultValue.ToDisplayString());
        }

        return text.ToString();
    }

    /// <summary><c>DOUBLE</c>, <c>LIST&lt;INT&gt;</c>, <c>ENUM(Slow|Fast)</c>, <c>STRING?</c>.</summary>
    private static string Type(TypeInfo type)
    {
        var name = type.Type switch
        {
            ValueType.Enum => $"ENUM({string.Join('|', type.EnumMembers)})",
            ValueType.List or ValueType.Map when type.Element is { } element => $"{EnumNames.Of(type.Type)}<{Type(element)}>",
            _ => EnumNames.Of(type.Type),
        };
        return type.Nullable ? name + "?" : name;
    }

    private static string Range(Value? minimum, Value? maximum) =>
        minimum is null && maximum is null ? string.Empty : $"{minimum?.ToDisplayString()}..{maximum?.ToDisplayString()}";
}
