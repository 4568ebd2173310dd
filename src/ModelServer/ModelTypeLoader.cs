using System.Reflection;
using System.Runtime.Loader;

namespace RemoteModel.ModelServer;

/// <summary>
/// Finds model classes by name in the configured assemblies and creates instances of them: with a
/// constructor that takes a <see cref="TimeProvider"/> when there is one (so a model's own clock
/// is the host's), else the parameterless one.
/// </summary>
internal sealed class ModelTypeLoader
{
    private readonly List<Assembly> _assemblies = [];

    public ModelTypeLoader(IEnumerable<string> assemblyPaths)
    {
        foreach (var path in assemblyPaths)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"No model assembly at {full}.", full);
            }

            _assemblies.Add(AssemblyLoadContext.Default.LoadFromAssemblyPath(full));
        }
    }

    public Type Find(string typeName)
    {
        var found = Type.GetType(typeName, throwOnError: false)
            ?? _assemblies.Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null);
        if (found is null)
        {
            var candidates = _assemblies.SelectMany(a => a.GetExportedTypes())
                .Where(t => t.GetInterface(nameof(System.ComponentModel.INotifyPropertyChanged)) is not null && !t.IsAbstract)
                .Select(t => t.FullName);
            throw new InvalidOperationException(
                $"No model class '{typeName}' in {(_assemblies.Count == 0 ? "this program (name an assembly with --assembly)" : string.Join(", ", _assemblies.Select(a => a.GetName().Name)))}. " +
                $"Model classes there: {string.Join(", ", candidates.DefaultIfEmpty("none"))}.");
        }

        return found;
    }

    public static object Create(Type type, TimeProvider time)
    {
        if (type.GetConstructor([typeof(TimeProvider)]) is { } timed)
        {
            return timed.Invoke([time]);
        }

        if (type.GetConstructor(Type.EmptyTypes) is { } plain)
        {
            return plain.Invoke([]);
        }

        throw new InvalidOperationException($"{type.FullName} needs a public constructor taking nothing or a TimeProvider.");
    }
}
