using System.ComponentModel;
using System.Reflection;
using RemoteModel.Models.Values;

namespace RemoteModel.Models.Runtime;

/// <summary>What a model class publishes, found by reflection once per host.</summary>
internal sealed class ModelSchema
{
    public ModelSchema(Type type)
    {
        var nullability = new NullabilityInfoContext();
        TypeName = type.FullName ?? type.Name;
        Description = type.GetCustomAttribute<ModelAttribute>()?.Description ?? string.Empty;

        var properties = new Dictionary<string, PropertyBinding>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0 || property.IsDefined(typeof(ModelIgnoreAttribute)))
            {
                continue;
            }

            if (ValueCodec.Unsupported(property.PropertyType) is { } problem)
            {
                throw new ArgumentException($"{type.Name}.{property.Name} cannot be published: {problem}. Mark it [ModelIgnore] to leave it out.");
            }

            properties[property.Name] = new PropertyBinding(property, nullability);
        }

        Properties = properties;
        Lifecycle = LifecycleBinding.For(type, nullability);

        var operations = new Dictionary<string, OperationBinding>(StringComparer.Ordinal);
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.GetCustomAttribute<OperationAttribute>() is not { } attribute || method.IsDefined(typeof(ModelIgnoreAttribute)))
            {
                continue;
            }

            if (LifecycleBinding.IsTransition(method.Name) || !operations.TryAdd(method.Name, new OperationBinding(method, attribute, nullability)))
            {
                throw new ArgumentException($"{type.Name}.{method.Name}: operation names must be unique and not a lifecycle transition (init, configure, invalidate, deinit).");
            }

            foreach (var parameter in method.GetParameters())
            {
                if (ValueCodec.Unsupported(parameter.ParameterType) is { } problem)
                {
                    throw new ArgumentException($"{type.Name}.{method.Name}({parameter.Name}) cannot be published: {problem}.");
                }
            }

            if (method.ReturnType != typeof(void) && ValueCodec.Unsupported(method.ReturnType) is { } resultProblem)
            {
                throw new ArgumentException($"{type.Name}.{method.Name} returns a type that cannot be published: {resultProblem}.");
            }
        }

        Operations = operations;

        var streams = new Dictionary<string, StreamBinding>(StringComparer.Ordinal);
        foreach (var declared in type.GetCustomAttributes<PeriodicStreamAttribute>())
        {
            var members = declared.Properties.Select(name => properties.TryGetValue(name, out var p) ? p
                : throw new ArgumentException($"Periodic stream '{declared.Name}' of {type.Name} names '{name}', which is not a published property.")).ToList();
            if (!(declared.MaxRateHz > 0) || declared.RateHz < 0 || declared.RateHz > declared.MaxRateHz || !streams.TryAdd(declared.Name, new StreamBinding(declared, members)))
            {
                throw new ArgumentException($"Periodic stream '{declared.Name}' of {type.Name}: names must be unique and 0 <= RateHz <= MaxRateHz, MaxRateHz > 0.");
            }
        }

        Streams = streams;
    }

    public string TypeName { get; }

    public string Description { get; }

    public IReadOnlyDictionary<string, PropertyBinding> Properties { get; }

    public IReadOnlyDictionary<string, OperationBinding> Operations { get; }

    public IReadOnlyDictionary<string, StreamBinding> Streams { get; }

    public LifecycleBinding? Lifecycle { get; }

    public static void EnsureModel(object model)
    {
        if (model is not INotifyPropertyChanged)
        {
            throw new ArgumentException($"{model.GetType().Name} does not implement INotifyPropertyChanged; a model must announce its changes.");
        }
    }
}
