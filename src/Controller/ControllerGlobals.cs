using RemoteModel.Client;

namespace RemoteModel.Controller;

/// <summary>
/// What every controller submission and script sees without a prefix: <c>Connect("ticker")</c>,
/// <c>Names.List()</c>, <c>Args</c>, <c>Print(x)</c>, and the running evaluation's
/// <c>CancellationToken</c> (Ctrl+C fires it).
/// </summary>
public sealed class ControllerGlobals : IDisposable
{
    private readonly ClientOptions _options;
    private readonly TextWriter _output;
    private readonly Lazy<NameDirectory> _names;
    private readonly List<ModelProxy> _proxies = [];

    internal ControllerGlobals(ControllerOptions options, IReadOnlyList<string> args, TextWriter output)
    {
        _options = new ClientOptions
        {
            NameServer = string.IsNullOrWhiteSpace(options.NameServer) ? null : options.NameServer,
            Caller = string.IsNullOrWhiteSpace(options.Caller) ? ClientConnections.DefaultCaller : options.Caller,
            CallTimeout = options.CallTimeout,
            Cancellation = () => CancellationToken,
        };
        _output = output;
        _names = new Lazy<NameDirectory>(() => new NameDirectory(_options));
        Args = args;
    }

    /// <summary>The name server: <c>Names.List()</c>, <c>Names.List("lab1/")</c>, <c>Names.Lookup("ticker")</c>.</summary>
    public NameDirectory Names => _names.Value;

    /// <summary>The arguments after the script's path (<c>remotemodel-controller script.csx a b</c>).</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>Fires when the running evaluation is cancelled (Ctrl+C); long loops should watch it.</summary>
    public CancellationToken CancellationToken { get; internal set; }

    /// <summary>
    /// A model, as a <c>dynamic</c> proxy: by name (<c>Connect("ticker")</c>,
    /// <c>Connect("name:ticker@nshost:9090")</c>) or directly (<c>Connect("http://host:port", "ticker")</c>).
    /// Then <c>t.Query()</c>, <c>t.Rate = 5.0</c>, <c>t.Price</c>, <c>t.Modify(new { Rate = 5.0 })</c>,
    /// <c>t.Invoke("Reset")</c> or <c>t.Reset()</c>, <c>t.Describe()</c>, <c>t.Viewers()</c>, <c>t.History()</c>, <c>t.Models()</c> (its server's models and their locks),
    /// <c>using (t.Lock()) { ... }</c> (the model's exclusive lock while the block runs), <c>t.Unlock(force: true)</c> (admin).
    /// </summary>
    public dynamic Connect(string target, string? model = null) => Track(ModelProxy.Connect(target, model, _options));

    /// <inheritdoc cref="Connect"/>
    public async Task<dynamic> ConnectAsync(string target, string? model = null) =>
        Track(await ModelProxy.ConnectAsync(target, model, _options, CancellationToken));

    /// <summary>Writes <paramref name="value"/> as the controller prints results.</summary>
    public void Print(object? value) => _output.WriteLine(ReadableText.Format(value));

    /// <summary>Closes the connections the session opened.</summary>
    public void Dispose()
    {
        lock (_proxies)
        {
            _proxies.ForEach(p => p.Dispose());
            _proxies.Clear();
        }

        if (_names.IsValueCreated)
        {
            _names.Value.Dispose();
        }
    }

    private ModelProxy Track(ModelProxy proxy)
    {
        lock (_proxies)
        {
            _proxies.Add(proxy);
        }

        return proxy;
    }
}
