using System.ComponentModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Testing;

namespace RemoteModel.Models.Tests;

/// <summary>A dosing pump whose setpoints are memorized; it records the order its setters ran in.</summary>
public sealed class Doser : INotifyPropertyChanged
{
    private string _recipe = "water";
    private double _flow = 1;

    public event PropertyChangedEventHandler? PropertyChanged;

    [ModelProperty(Memorized = true)]
    public string Recipe
    {
        get => _recipe;
        set => Set(ref _recipe, value);
    }

    [ModelProperty(Unit = "ml/min", Minimum = 0, Maximum = 10, Memorized = true)]
    public double Flow
    {
        get => _flow;
        set => Set(ref _flow, value);
    }

    /// <summary>Not memorized: starts at 0 every time.</summary>
    public int Batch { get; set; }

    [ModelIgnore]
    public List<string> SetOrder { get; } = [];

    private void Set<T>(ref T field, T value, [CallerMemberName] string name = "")
    {
        field = value;
        SetOrder.Add(name);
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
    }
}

/// <summary>A memorized property that nothing can write: refused when hosted.</summary>
public sealed class ReadOnlyMemorized : INotifyPropertyChanged
{
    public event PropertyChangedEventHandler? PropertyChanged { add { } remove { } }

    [ModelProperty(Memorized = true)]
    public int Count { get; private set; }
}

/// <summary>Memorized properties through a registry and its state store on real SQLite files: kept at Modify, applied at the next start, skipped when they no longer fit.</summary>
public sealed class MemorizedPropertiesTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 5, 30, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("rm-memorized-").FullName;
    private readonly FakeTimeProvider _clock = new(Now);

    private string StorePath => Path.Combine(_directory, "memorized.db");

    private ModelHostOptions Options => new() { StateStore = StorePath };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Values_written_by_modify_are_applied_again_at_the_next_start_in_declaration_order()
    {
        await using (var first = new ModelRegistry(Options, _clock))
        {
            var host = first.Add("lab/doser", new Doser());
            Assert.True(host.Describe().Properties.Single(p => p.Name == "Flow").Memorized);
            Assert.False(host.Describe().Properties.Single(p => p.Name == "Batch").Memorized);
            host.Modify(Request(("Flow", new Value { IntValue = 4 }), ("Batch", new Value { IntValue = 7 })), "alice");
            host.Modify(Request(("Recipe", new Value { StringValue = "saline" })), "bob");
            var dryRun = Request(("Flow", new Value { DoubleValue = 2.5 }));
            dryRun.DryRun = true;
            host.Modify(dryRun, "bob");
        }

        var doser = new Doser();
        await using var second = new ModelRegistry(Options, _clock);
        var restarted = second.Add("lab/doser", doser);

        Assert.Equal(("saline", 4.0, 0), (doser.Recipe, doser.Flow, doser.Batch));
        Assert.Equal(["Recipe", "Flow"], doser.SetOrder);
        Assert.Equal(0, restarted.Version);
        Assert.Equal("saline", restarted.Query(["Recipe"]).Values["Recipe"].StringValue);
        Assert.Equal(1.0, new Doser().Flow);
    }

    [Fact]
    public async Task A_stored_value_that_no_longer_fits_is_skipped_with_a_warning_and_the_others_are_applied()
    {
        using (var store = MemorizedStore.Open(StorePath))
        {
            store.Write("lab/doser", [new("Flow", new Value { DoubleValue = 50 }), new("Recipe", new Value { StringValue = "saline" })], "alice", Now);
            store.Write("lab/other", [new("Flow", new Value { StringValue = "fast" })], "alice", Now);
        }

        using var log = new LogCapture();
        await using var registry = new ModelRegistry(Options, _clock, log);
        var doser = new Doser();
        var other = new Doser();
        registry.Add("lab/doser", doser);
        registry.Add("lab/other", other);

        Assert.Equal(("saline", 1.0), (doser.Recipe, doser.Flow));
        Assert.Equal(1.0, other.Flow);
        var warnings = log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("lab/doser: memorized Flow = 50 skipped: property 'Flow': 50 is outside 0..10", warnings[0], StringComparison.Ordinal);
        Assert.EndsWith("; it keeps its initial value", warnings[0], StringComparison.Ordinal);
        Assert.StartsWith("lab/other: memorized Flow = \"fast\" skipped: ", warnings[1], StringComparison.Ordinal);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Information && e.Message == $"lab/doser: memorized Recipe = \"saline\" applied from {StorePath}");
    }

    [Fact]
    public void A_store_that_cannot_be_read_stops_the_model_from_being_hosted_with_a_clear_message()
    {
        File.WriteAllText(StorePath, new string('x', 4096));
        using var registry = new DisposableRegistry(new ModelRegistry(Options, _clock));

        var refused = Assert.Throws<MemorizedStoreException>(() => registry.Registry.Add("lab/doser", new Doser()));

        Assert.StartsWith($"The memorized-value store {StorePath} cannot be read: ", refused.Message, StringComparison.Ordinal);
        Assert.Empty(registry.Registry.Names);
        // A model without memorized properties never opens the store.
        registry.Registry.Add("lab/stage", new Stage());
    }

    [Fact]
    public void A_read_only_property_cannot_be_memorized()
    {
        var refused = Assert.Throws<ArgumentException>(() => new ModelHost("lab/count", new ReadOnlyMemorized()));

        Assert.Equal("ReadOnlyMemorized.Count cannot be memorized: it is read-only, so nothing writes it.", refused.Message);
    }

    [Fact]
    public async Task A_modify_whose_memorized_values_cannot_be_kept_changes_nothing_and_says_so()
    {
        await using var registry = new ModelRegistry(Options, _clock);
        var doser = new Doser();
        var host = registry.Add("lab/doser", doser);
        // The file made read-only under the open store: its next write fails.
        using (var sabotage = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            sabotage.Open();
            using var command = sabotage.CreateCommand();
            command.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON memorized BEGIN SELECT RAISE(ABORT, 'disk says no'); END;";
            command.ExecuteNonQuery();
        }

        var refused = Assert.Throws<ModelException>(() => host.Modify(Request(("Flow", new Value { DoubleValue = 3 }), ("Batch", new Value { IntValue = 2 })), "alice"));

        Assert.Equal(ModelErrorReason.Internal, refused.Reason);
        Assert.Equal($"model 'lab/doser': the memorized values could not be kept in {StorePath}, so nothing was changed; see the server's log", refused.Message);
        Assert.Equal((1.0, 0), (doser.Flow, doser.Batch));
        Assert.Equal(0, host.Version);
        host.Modify(Request(("Batch", new Value { IntValue = 2 })), "alice");
        Assert.Equal(2, doser.Batch);
    }

    private static ModifyRequest Request(params (string Name, Value Value)[] values)
    {
        var request = new ModifyRequest { Model = "lab/doser" };
        foreach (var (name, value) in values)
        {
            request.Values[name] = value;
        }

        return request;
    }

    /// <summary>Disposes a registry synchronously, for tests that need no await.</summary>
    private sealed class DisposableRegistry(ModelRegistry registry) : IDisposable
    {
        public ModelRegistry Registry => registry;

        public void Dispose() => registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
