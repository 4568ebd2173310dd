using System.Reflection;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;

namespace RemoteModel.Models.Runtime;

/// <summary>One invocable method of a model class.</summary>
internal sealed class OperationBinding
{
    private readonly MethodInfo _method;
    private readonly string _description;

    public OperationBinding(MethodInfo method, OperationAttribute attribute, NullabilityInfoContext nullability)
    {
        _method = method;
        Name = method.Name;
        _description = attribute.Description;
        AllowedIn = [.. attribute.AllowedIn.Select(ModelLifecycle.ToProtocol)];
        Parameters = [.. method.GetParameters().Select(p => new ParameterBinding(
            p.Name ?? $"arg{p.Position}",
            p.ParameterType,
            !p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.Nullable,
            p.HasDefaultValue,
            p.HasDefaultValue ? p.DefaultValue : null,
            p.GetCustomAttribute<ModelPropertyAttribute>()))];
        ResultType = method.ReturnType == typeof(void) ? null : method.ReturnType;
        ResultNullable = ResultType is not null && !ResultType.IsValueType && nullability.Create(method.ReturnParameter).ReadState == NullabilityState.Nullable;
    }

    public string Name { get; }

    public IReadOnlyList<LifecycleState> AllowedIn { get; }

    public IReadOnlyList<ParameterBinding> Parameters { get; }

    public Type? ResultType { get; }

    private bool ResultNullable { get; }

    /// <summary>The arguments in the method's order, defaults filled in; throws <see cref="ModelException"/>.</summary>
    public object?[] BindArguments(IReadOnlyDictionary<string, Value> arguments)
    {
        foreach (var name in arguments.Keys.Order(StringComparer.Ordinal))
        {
            if (!Parameters.Any(p => p.Name == name))
            {
                throw new ModelException(ModelErrorReason.InvalidArgument,
                    $"operation '{Name}' has no parameter '{name}'; it takes: {(Parameters.Count == 0 ? "nothing" : string.Join(", ", Parameters.Select(p => p.Name)))}");
            }
        }

        return [.. Parameters.Select(p => arguments.TryGetValue(p.Name, out var value) ? p.Convert(value, Name)
            : p.HasDefault ? p.DefaultValue
            : throw new ModelException(ModelErrorReason.InvalidArgument, $"operation '{Name}' needs parameter '{p.Name}' ({ValueCodec.Label(p.Type)}), which has no default"))];
    }

    public object? Invoke(object model, object?[] arguments) =>
        _method.Invoke(model, BindingFlags.DoNotWrapExceptions, null, arguments, null);

    public OperationDescription Describe()
    {
        var description = new OperationDescription
        {
            Name = Name,
            Description = _description,
            Result = ResultType is null ? null : ValueCodec.Describe(ResultType, ResultNullable),
        };
        description.Parameters.AddRange(Parameters.Select(p => p.Describe()));
        description.AllowedIn.AddRange(AllowedIn);
        return description;
    }
}
