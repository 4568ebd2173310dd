using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Testing;

namespace RemoteModel.Models.Tests;

/// <summary>What hosting logs, and how hosting ends.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Changes_and_viewers_are_logged_one_structured_line_each()
    {
        var log = new LogCapture();
        await using var server = await ModelTestServer.StartAsync(new FakeTimeProvider(), host: r => r.Add("lab/stage", new Stage()), loggerFactory: log);
        var client = server.Client(out var asBob, "bob");

        var viewer = new Subscription(client, new SubscribeRequest { Model = "lab/stage", ViewerName = "panel" });
        await viewer.NextAsync();
        await client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 3 }, options: asBob);
        await Assert.ThrowsAsync<RpcException>(() => client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 30 }, options: asBob));
        await viewer.DisposeAsync();
        await Eventually.TrueAsync(() => Task.FromResult(log.Entries.Any(e => e.Message.StartsWith("viewer left", StringComparison.Ordinal))), "the viewer-left line");

        var applied = Assert.Single(log.Entries, e => e.Message.StartsWith("change applied by bob", StringComparison.Ordinal));
        Assert.Equal(("bob", "lab/stage", "modify", 1L), (applied.Properties["Caller"], applied.Properties["Model"], applied.Properties["Action"], applied.Properties["Version"]));
        Assert.Contains("{\"Speed\": 3}", applied.Message);
        var refused = Assert.Single(log.Entries, e => e.Message.StartsWith("change refused for bob", StringComparison.Ordinal));
        Assert.Equal(ModelErrorReason.OutOfRange, refused.Properties["Code"]);
        var joined = Assert.Single(log.Entries, e => e.Message.StartsWith("viewer joined", StringComparison.Ordinal));
        Assert.Equal(("panel", DeliveryMode.EveryChange), (joined.Properties["Viewer"], joined.Properties["Mode"]));
        var left = Assert.Single(log.Entries, e => e.Message.StartsWith("viewer left", StringComparison.Ordinal));
        Assert.Equal(("panel", 2L), (left.Properties["Viewer"], left.Properties["NotificationsSent"]));
    }

    [Fact]
    public async Task Removing_a_model_ends_its_viewers_streams_and_it_is_no_longer_found()
    {
        await using var server = await ModelTestServer.StartAsync(new FakeTimeProvider(), host: r => r.Add("lab/stage", new Stage()));
        var client = server.Client(out _);
        await using var viewer = new Subscription(client, new SubscribeRequest { Model = "lab/stage" });
        await viewer.NextAsync();

        Assert.True(await server.Registry.RemoveAsync("lab/stage"));
        Assert.False(await viewer.MoveNextAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        var error = await Assert.ThrowsAsync<RpcException>(() => client.DescribeAsync("lab/stage"));
        Assert.Equal("no model 'lab/stage' on this server; it hosts: none", error.Status.Detail);
    }

    [Fact]
    public void A_model_that_cannot_be_published_is_refused_when_hosted_saying_why()
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelHost("bad", new Unpublishable()));
        Assert.Contains("Unpublishable.Price cannot be published: Decimal is not a value type the model protocol carries", error.Message);
        Assert.Throws<ArgumentException>(() => new ModelRegistry().Add("bad name", new Stage()));
    }

    private sealed class Unpublishable : System.ComponentModel.INotifyPropertyChanged
    {
        public event System.ComponentModel.PropertyChangedEventHandler? PropertyChanged
        {
            add { }
            remove { }
        }

        public decimal Price { get; set; }
    }
}
