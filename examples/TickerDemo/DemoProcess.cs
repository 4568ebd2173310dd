using System.Diagnostics;

namespace RemoteModel.Examples.TickerDemo;

/// <summary>
/// One process of the demo, run with <c>dotnet</c>. A server's standard error (its log) goes to
/// a file so it does not run through the viewer's display; its standard output is read for the
/// <c>LISTENING</c> line every RemoteModel server prints when it is ready.
/// </summary>
internal sealed class DemoProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StreamWriter? _log;

    private DemoProcess(string name, Process process, StreamWriter? log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    public string? LogPath { get; private init; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>A server: output read, log to <paramref name="logPath"/>.</summary>
    public static DemoProcess StartServer(string name, string dll, IEnumerable<string> arguments, string logPath)
    {
        var info = Info(dll, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var demo = new DemoProcess(name, process, log) { LogPath = logPath };
        process.OutputDataReceived += (_, e) => demo.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => demo.OnLog(e.Data);
        process.Exited += (_, _) => demo._listening.TrySetException(
            new InvalidOperationException($"the {name} exited (code {process.ExitCode}) before it was ready; its log is {logPath}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return demo;
    }

    /// <summary>A foreground process that shares this terminal.</summary>
    public static DemoProcess StartInTerminal(string name, string dll, IEnumerable<string> arguments)
    {
        var process = new Process { StartInfo = Info(dll, arguments), EnableRaisingEvents = true };
        process.Start();
        return new DemoProcess(name, process, log: null);
    }

    /// <summary>The addresses the server listens on, once it says it is ready.</summary>
    public Task<string> ListeningAsync(CancellationToken cancellationToken) => _listening.Task.WaitAsync(cancellationToken);

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Asks the process to stop gracefully (SIGTERM), as a service manager would.</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            Signals.Terminate(_process.Id);
        }
    }

    /// <summary>Ends the process at once.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The last lines of its log, to show when it failed.</summary>
    public IEnumerable<string> LogTail(int lines) =>
        LogPath is not null && File.Exists(LogPath) ? File.ReadLines(LogPath).TakeLast(lines) : [];

    public void Dispose()
    {
        _process.Dispose();
        _log?.Dispose();
    }

    private static ProcessStartInfo Info(string dll, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            _listening.TrySetResult(line["LISTENING ".Length..]);
        }

        OnLog(line);
    }

    private void OnLog(string? line)
    {
        if (line is not null)
        {
            lock (_log!)
            {
                _log.WriteLine(line);
            }
        }
    }
}
