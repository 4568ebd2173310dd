using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace RemoteModel.Naming.Tests;

/// <summary>A store's log lines in the test's output, so a failing run shows the failovers that led to it.</summary>
public sealed class EtcdTestLog<T>(ITestOutputHelper output) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {logLevel} {typeof(T).Name}: {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has ended; a late line (a watch winding down) has nowhere to go.
        }
    }
}
