using Microsoft.Extensions.Logging;

namespace RemoteModel.Testing;

/// <summary>Keeps every log line with its structured properties, so tests can see what was logged.</summary>
public sealed class LogCapture : ILoggerProvider, ILoggerFactory
{
    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public sealed record Entry(LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Properties);

    private sealed class Logger(LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = (state as IEnumerable<KeyValuePair<string, object?>>)?.ToDictionary(p => p.Key, p => p.Value) ?? [];
            lock (owner._entries)
            {
                owner._entries.Add(new Entry(logLevel, formatter(state, exception), properties));
            }
        }
    }
}
