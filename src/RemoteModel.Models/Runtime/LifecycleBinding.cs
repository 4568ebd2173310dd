using System.Reflection;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// A model's <see cref="IModelLifecycle{TConfiguration}"/>: the state machine, the transitions as
/// operations, and the configuration's parameters.
/// </summary>
internal sealed class LifecycleBinding
{
    public const string Init = "init";
    public const string Configure = "configure";
    public const string Invalidate = "invalidate";
    public const string Deinit = "deinit";

    private static readonly string[] Transitions = [Init, Configure, Invalidate, Deinit];

    private readonly Type _interface;
    private readonly Type _configurationType;
    private readonly IReadOnlyList<(ParameterBinding Parameter, PropertyInfo Property)> _configuration;

    private LifecycleBinding(Type lifecycleInterface, NullabilityInfoContext nullability)
    {
        _interface = lifecycleInterface;
        _configurationType = lifecycleInterface.GetGenericArguments()[0];
        var defaults = Activator.CreateInstance(_configurationType);
        _configuration = [.. _configurationType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .Select(p => (new ParameterBinding(
                p.Name,
                p.PropertyType,
                !p.PropertyType.IsValueType && nullability.Create(p).WriteState == NullabilityState.Nullable,
                true,
                p.GetValue(defaults),
                p.GetCustomAttribute<ModelPropertyAttribute>()), p))];
    }

    /// <summary>The lifecycle of <paramref name="modelType"/>, or null when it has none.</summary>
    public static LifecycleBinding? For(Type modelType, NullabilityInfoContext nullability)
    {
        var found = modelType.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IModelLifecycle<>)).ToList();
        return found.Count switch
        {
            0 => null,
            1 => new LifecycleBinding(found[0], nullability),
            _ => throw new ArgumentException($"{modelType.Name} implements IModelLifecycle more than once; a model has one lifecycle."),
        };
    }

    public static bool IsTransition(string operation) => Transitions.Contains(operation, StringComparer.Ordinal);

    /// <summary>The transitions allowed in <paramref name="state"/>.</summary>
    public static IReadOnlyList<string> Allowed(LifecycleState state) => state switch
    {
        LifecycleState.Uninitialized => [Init],
        LifecycleState.Initialized => [Configure, Deinit],
        LifecycleState.Configured => [Invalidate],
        LifecycleState.Faulted => [Deinit],
        _ => [],
    };

    /// <summary>Where a successful <paramref name="operation"/> leads.</summary>
    public static LifecycleState Target(string operation) => operation switch
    {
        Init => LifecycleState.Initialized,
        Configure => LifecycleState.Configured,
        Invalidate => LifecycleState.Initialized,
        _ => LifecycleState.Uninitialized,
    };

    /// <summary>
    /// Binds a transition's arguments (configure's to the configuration type) and returns the call that
    /// runs it on a model; throws <see cref="ModelException"/> for an argument that does not fit.
    /// </summary>
    public Action<object> Bind(string operation, IReadOnlyDictionary<string, Value> arguments)
    {
        object?[] callArguments = [];
        if (operation == Configure)
        {
            var configuration = Activator.CreateInstance(_configurationType)!;
            foreach (var name in arguments.Keys.Order(StringComparer.Ordinal))
            {
                if (!_configuration.Any(c => c.Parameter.Name == name))
                {
                    throw new ModelException(ModelErrorReason.InvalidArgument,
                        $"configure has no parameter '{name}'; it takes: {(_configuration.Count == 0 ? "nothing" : string.Join(", ", _configuration.Select(c => c.Parameter.Name)))}");
                }
            }

            foreach (var (parameter, property) in _configuration)
            {
                if (arguments.TryGetValue(parameter.Name, out var value))
                {
                    property.SetValue(configuration, parameter.Convert(value, Configure));
                }
            }

            callArguments = [configuration];
        }
        else if (arguments.Count > 0)
        {
            throw new ModelException(ModelErrorReason.InvalidArgument, $"{operation} takes no arguments; {string.Join(", ", arguments.Keys)} given");
        }

        var method = _interface.GetMethod(char.ToUpperInvariant(operation[0]) + operation[1..])!;
        return model => method.Invoke(model, BindingFlags.DoNotWrapExceptions, null, callArguments, null);
    }

    public LifecycleDescription Describe(LifecycleState state)
    {
        var description = new LifecycleDescription { State = state };
        description.AllowedOperations.AddRange(Allowed(state));
        description.Configuration.AddRange(_configuration.Select(c => c.Parameter.Describe()));
        return description;
    }

    /// <summary>The transitions as operations, for the schema.</summary>
    public IEnumerable<OperationDescription> DescribeOperations()
    {
        OperationDescription Op(string name, string text, LifecycleState from)
        {
            var op = new OperationDescription { Name = name, Description = text };
            op.AllowedIn.Add(from);
            return op;
        }

        yield return Op(Init, "Acquire what the model needs.", LifecycleState.Uninitialized);
        var configure = Op(Configure, "Apply a configuration and start running.", LifecycleState.Initialized);
        configure.Parameters.AddRange(_configuration.Select(c => c.Parameter.Describe()));
        yield return configure;
        yield return Op(Invalidate, "Stop running and forget the configuration.", LifecycleState.Configured);
        var deinit = Op(Deinit, "Release what init acquired.", LifecycleState.Initialized);
        deinit.AllowedIn.Add(LifecycleState.Faulted);
        yield return deinit;
    }
}
