using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Models.Runtime;
using RemoteModel.Naming;

namespace RemoteModel.Models.Server;

/// <summary>The models one server hosts, each under its own name.</summary>
public sealed class ModelRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ModelHost> _hosts = new(StringComparer.Ordinal);
    private readonly ModelHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IViewerDirectory? _viewerDirectory;
    private readonly Lazy<MemorizedStore> _memory;

    /// <summary>Creates an empty registry whose hosts share limits, a clock, a logger factory and a viewer directory.</summary>
    /// <param name="options">The limits of every hosted model.</param>
    /// <param name="timeProvider">The clock of versions, audit records, rate limits and periodic streams.</param>
    /// <param name="loggerFactory">Where the hosts log.</param>
    /// <param name="viewerDirectory">Where viewers are listed while connected, beyond ListViewers; nowhere by default.</param>
    public ModelRegistry(
        ModelHostOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IViewerDirectory? viewerDirectory = null)
    {
        _viewerDirectory = viewerDirectory;
        _options = options ?? new ModelHostOptions();
        var store = _options.StateStore is { Length: > 0 } path ? path : MemorizedStore.DefaultPath;
        _memory = new Lazy<MemorizedStore>(() => MemorizedStore.Open(store));
        _time = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The hosted models' names, in order.</summary>
    public IReadOnlyList<string> Names => [.. _hosts.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The hosted models, by name.</summary>
    public IReadOnlyList<ModelHost> Hosts => [.. _hosts.Values.OrderBy(h => h.Name, StringComparer.Ordinal)];

    /// <summary>Hosts <paramref name="model"/> under <paramref name="name"/> (a name-service name: <c>lab1/stage/x</c>).</summary>
    /// <remarks>A model with memorized properties gets its stored values applied here; the state store (<see cref="ModelHostOptions.StateStore"/>) is opened with the first such model.</remarks>
    /// <exception cref="ArgumentException">The name is malformed or taken, or the model cannot be published.</exception>
    /// <exception cref="Exception">The state store cannot be opened or read: the message says which file and what to do.</exception>
    public ModelHost Add(string name, INotifyPropertyChanged model)
    {
        if (NameRules.Problem(name) is { } problem)
        {
            throw new ArgumentException(NameRules.Explain(name, problem), nameof(name));
        }

        var host = new ModelHost(name, model, _options, _time, _loggerFactory.CreateLogger<ModelHost>(), _viewerDirectory, () => _memory.Value);
        if (!_hosts.TryAdd(name, host))
        {
            throw new ArgumentException($"A model named '{name}' is hosted already.", nameof(name));
        }

        return host;
    }

    /// <summary>The model hosted under <paramref name="name"/>, or null.</summary>
    public ModelHost? Find(string name) => _hosts.GetValueOrDefault(name);

    /// <summary>Stops hosting <paramref name="name"/>: its viewers' streams end. False when there was none.</summary>
    public async Task<bool> RemoveAsync(string name)
    {
        if (!_hosts.TryRemove(name, out var host))
        {
            return false;
        }

        await host.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Stops hosting every model.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var name in Names)
        {
            await RemoveAsync(name).ConfigureAwait(false);
        }

        if (_memory.IsValueCreated)
        {
            _memory.Value.Dispose();
        }
    }
}
