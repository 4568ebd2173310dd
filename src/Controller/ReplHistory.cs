using System.Text;
using Microsoft.Extensions.Logging;

namespace RemoteModel.Controller;

/// <summary>
/// The submissions of past and present sessions, newest last, kept in a file only its owner can
/// read (mode 0600, in a 0700 directory): one submission a line, line breaks and backslashes
/// escaped. A history that cannot be read or written is logged once and otherwise ignored.
/// </summary>
internal sealed partial class ReplHistory
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    private readonly List<string> _entries = [];
    private readonly int _capacity;
    private readonly ILogger _logger;
    private bool _failed;

    private ReplHistory(string path, int capacity, ILogger logger)
    {
        Path = path;
        _capacity = Math.Max(1, capacity);
        _logger = logger;
    }

    /// <summary>The history file.</summary>
    public string Path { get; }

    /// <summary>The submissions, oldest first.</summary>
    public IReadOnlyList<string> Entries => _entries;

    /// <summary>Where the history is kept unless configured: <c>$XDG_STATE_HOME/remotemodel/controller_history</c>, else under <c>~/.local/state</c>.</summary>
    public static string DefaultPath()
    {
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg && System.IO.Path.IsPathRooted(xdg)
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return System.IO.Path.Combine(state, "remotemodel", "controller_history");
    }

    /// <summary>Reads the history at <paramref name="path"/>, keeping the newest <paramref name="capacity"/> submissions.</summary>
    public static ReplHistory Open(string path, int capacity, ILogger logger)
    {
        var history = new ReplHistory(path, capacity, logger);
        history.Load();
        return history;
    }

    /// <summary>Adds a submission and appends it to the file; the same one twice in a row is kept once.</summary>
    public void Add(string submission)
    {
        if (string.IsNullOrWhiteSpace(submission) || (_entries.Count > 0 && _entries[^1] == submission))
        {
            return;
        }

        _entries.Add(submission);
        if (_entries.Count > _capacity)
        {
            _entries.RemoveRange(0, _entries.Count - _capacity);
        }

        Write(append: true, [submission]);
    }

    private void Load()
    {
        try
        {
            if (!File.Exists(Path))
            {
                return;
            }

            _entries.AddRange(File.ReadLines(Path).Where(line => line.Length > 0).Select(Unescape));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
            return;
        }

        if (_entries.Count > _capacity)
        {
            // Trimmed on the way in, so the file never grows past twice what is kept.
            _entries.RemoveRange(0, _entries.Count - _capacity);
            Write(append: false, _entries);
        }
    }

    private void Write(bool append, IEnumerable<string> entries)
    {
        if (_failed)
        {
            return;
        }

        try
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
            var options = new FileStreamOptions { Mode = append ? FileMode.Append : FileMode.Create, Access = FileAccess.Write };
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, OwnerOnlyDirectory);
                options.UnixCreateMode = OwnerOnlyFile;
            }

            using var file = new FileStream(Path, options);
            if (!OperatingSystem.IsWindows())
            {
                // A file made by an older version or another tool is made private too.
                File.SetUnixFileMode(file.SafeFileHandle, OwnerOnlyFile);
            }

            using var writer = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            foreach (var entry in entries)
            {
                writer.Write(Escape(entry));
                writer.Write('\n');
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception exception)
    {
        _failed = true;
        LogUnavailable(Path, exception.Message);
    }

    private static string Escape(string entry) => entry.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Unescape(string line)
    {
        var text = new StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                text.Append(line[++i] == 'n' ? '\n' : line[i]);
            }
            else
            {
                text.Append(line[i]);
            }
        }

        return text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "History file {Path} cannot be used ({Problem}); this session's history is not kept")]
    private partial void LogUnavailable(string path, string problem);
}
