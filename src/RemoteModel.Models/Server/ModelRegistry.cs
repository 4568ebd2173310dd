using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Models.Relay;
using RemoteModel.Models.Runtime;
using RemoteModel.Naming;

namespace RemoteModel.Models.Server;

/// <summary>The models one server serves, each under its own name: those it hosts, and those it relays from elsewhere.</summary>
public sealed class ModelRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IServedModel> _served = new(StringComparer.Ordinal);
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

    /// <summary>The served models' names (hosted and relayed), in order.</summary>
    public IReadOnlyList<string> Names => [.. _served.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The hosted models, by name.</summary>
    public IReadOnlyList<ModelHost> Hosts => [.. Served.OfType<ModelHost>()];

    /// <summary>The relayed models, by name.</summary>
    public IReadOnlyList<ModelRelay> Relays => [.. Served.OfType<ModelRelay>()];

    /// <summary>Every served model, by name.</summary>
    internal IReadOnlyList<IServedModel> Served => [.. _served.Values.OrderBy(h => h.Name, StringComparer.Ordinal)];

    /// <summary>Hosts <paramref name="model"/> under <paramref name="name"/> (a name-service name: <c>lab1/stage/x</c>).</summary>
    /// <remarks>A model with memorized properties gets its stored values applied here; the state store (<see cref="ModelHostOptions.StateStore"/>) is opened with the first such model.</remarks>
    /// <exception cref="ArgumentException">The name is malformed or taken, or the model cannot be published.</exception>
    /// <exception cref="Exception">The state store cannot be opened or read: the message says which file and what to do.</exception>
    public ModelHost Add(string name, INotifyPropertyChanged model)
    {
        CheckFree(name);
        var host = new ModelHost(name, model, _options, _time, _loggerFactory.CreateLogger<ModelHost>(), _viewerDirectory, () => _memory.Value);
        if (!_served.TryAdd(name, host))
        {
            throw new ArgumentException($"A model named '{name}' is served already.", nameof(name));
        }

        return host;
    }

    /// <summary>
    /// Serves under <paramref name="name"/> the model <paramref name="source"/> names, served elsewhere: the
    /// relay starts following it at once.
    /// </summary>
    /// <param name="name">The relay's own name, such as <c>ticker-east</c>.</param>
    /// <param name="source">The model it mirrors.</param>
    /// <param name="signer">Signs the relay's calls to the source (its subscription, and the changes it passes on); null: unsigned.</param>
    /// <param name="nameServer">The name server that finds a source given by name; null: the usual one.</param>
    /// <exception cref="ArgumentException">The name is malformed or taken.</exception>
    public ModelRelay AddRelay(string name, RelaySource source, CallSigner? signer = null, string? nameServer = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckFree(name);
        var relay = new ModelRelay(name, source, signer, nameServer, _options, _time, _loggerFactory.CreateLogger<ModelRelay>(), _viewerDirectory);
        if (!_served.TryAdd(name, relay))
        {
            _ = relay.DisposeAsync().AsTask();
            throw new ArgumentException($"A model named '{name}' is served already.", nameof(name));
        }

        return relay;
    }

    /// <summary>The model hosted under <paramref name="name"/>, or null.</summary>
    public ModelHost? Find(string name) => _served.GetValueOrDefault(name) as ModelHost;

    /// <summary>The model served under <paramref name="name"/>, hosted or relayed, or null.</summary>
    internal IServedModel? FindServed(string name) => _served.GetValueOrDefault(name);

    /// <summary>Stops serving <paramref name="name"/>: its viewers' streams end (and a relay stops following its source). False when there was none.</summary>
    public async Task<bool> RemoveAsync(string name)
    {
        if (!_served.TryRemove(name, out var host))
        {
            return false;
        }

        await host.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Stops serving every model.</summary>
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

    private void CheckFree(string name)
    {
        if (NameRules.Problem(name) is { } problem)
        {
            throw new ArgumentException(NameRules.Explain(name, problem), nameof(name));
        }

        if (_served.ContainsKey(name))
        {
            throw new ArgumentException($"A model named '{name}' is served already.", nameof(name));
        }
    }
}
