using Google.Protobuf;
using RemoteModel.Naming.V1;

namespace RemoteModel.Naming.Embedded;

/// <summary>Static registrations on disk, as the JSON of a ListResponse, replaced atomically on each change.</summary>
internal static class StaticRegistrationFile
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    public static IEnumerable<Registration> Load(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return [];
        }

        try
        {
            return ListResponse.Parser.ParseJson(File.ReadAllText(path)).Registrations;
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"The registry file {path} is not readable: {ex.Message}. Move it aside to start empty.", ex);
        }
    }

    public static void Save(string? path, IEnumerable<Registration> registrations)
    {
        if (path is null)
        {
            return;
        }

        var list = new ListResponse();
        foreach (var registration in registrations)
        {
            var saved = registration.Clone();
            saved.Revision = 0;
            list.Registrations.Add(saved);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, Formatter.Format(list));
        File.Move(temporary, path, overwrite: true);
    }
}
