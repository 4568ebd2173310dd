using Google.Protobuf.Reflection;

namespace RemoteModel.Transport.Reflection;

/// <summary>
/// Files by name, with every file they import, and the file that defines each fully qualified
/// symbol in them: services, methods, messages (nested ones too), their fields, enums and enum values.
/// </summary>
internal sealed class DescriptorIndex
{
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);
    private readonly HashSet<string> _messages = new(StringComparer.Ordinal);

    public DescriptorIndex(IEnumerable<FileDescriptor> files)
    {
        var pending = new Stack<FileDescriptor>(files);
        while (pending.TryPop(out var file))
        {
            if (!_files.TryAdd(file.Name, file))
            {
                continue;
            }

            foreach (var dependency in file.Dependencies)
            {
                pending.Push(dependency);
            }

            foreach (var service in file.Services)
            {
                _symbols[service.FullName] = file;
                foreach (var method in service.Methods)
                {
                    _symbols[method.FullName] = file;
                }
            }

            foreach (var message in file.MessageTypes)
            {
                AddMessage(message, file);
            }

            foreach (var enumType in file.EnumTypes)
            {
                AddEnum(enumType, file);
            }
        }
    }

    public FileDescriptor? FileNamed(string name) => _files.GetValueOrDefault(name);

    public FileDescriptor? FileDefining(string symbol) => _symbols.GetValueOrDefault(symbol.TrimStart('.'));

    public bool IsMessage(string name) => _messages.Contains(name.TrimStart('.'));

    private void AddMessage(MessageDescriptor message, FileDescriptor file)
    {
        _symbols[message.FullName] = file;
        _messages.Add(message.FullName);
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            _symbols[$"{message.FullName}.{field.Name}"] = file;
        }

        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file);
        }

        foreach (var enumType in message.EnumTypes)
        {
            AddEnum(enumType, file);
        }
    }

    private void AddEnum(EnumDescriptor enumType, FileDescriptor file)
    {
        _symbols[enumType.FullName] = file;
        foreach (var value in enumType.Values)
        {
            // Enum values are scoped as siblings of their enum, as in C++.
            var scope = enumType.FullName[..Math.Max(0, enumType.FullName.LastIndexOf('.'))];
            _symbols[scope.Length == 0 ? value.Name : $"{scope}.{value.Name}"] = file;
        }
    }
}
