using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;

namespace RemoteModel.Models.Tests;

/// <summary>
/// The follower's side of resuming, against a server that answers each subscription as scripted:
/// what it asks to resume after, and how it tells what happened.
/// </summary>
public sealed class FollowerResumeTests
{
    [Fact]
    public async Task Each_reconnection_asks_to_resume_after_the_epoch_and_newest_version_seen_and_says_whether_it_resumed_or_resynchronised()
    {
        var service = new ScriptedModel(
            [
                Snapshot("e1", 5), Change("e1", 6), Sample("e1", 9),
            ],
            [
                new Notification { Kind = Notification.Types.Kind.Resumed, Epoch = "e1", Version = 6 }, Change("e1", 7),
            ],
            [
                new Notification { Kind = Notification.Types.Kind.Resync, Epoch = "e2", Version = 0, ResyncReason = Notification.Types.ResyncReason.EpochChanged },
            ],
            [
                new Notification { Kind = Notification.Types.Kind.Resync, Epoch = "e2", Version = 40, ResyncReason = Notification.Types.ResyncReason.HistoryGone },
            ],
            [
                Snapshot(string.Empty, 3),
            ]);
        await using var server = await LoopbackServer.StartAsync(services => services.AddSingleton(service), app => app.MapGrpcService<ScriptedModel>());
        var follower = new ModelFollower(ServiceAddress.Parse(server.Address), new SubscribeRequest { Model = "oven", ViewerName = "wall" })
        {
            Signer = null,
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(1),
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var connections = new List<FollowEvent>();
        var changes = new List<long>();
        await foreach (var e in follower.FollowAsync(timeout.Token))
        {
            if (e.Kind == FollowEventKind.Connected)
            {
                connections.Add(e);
                if (connections.Count == 5)
                {
                    break;
                }
            }
            else if (e.Notification?.Kind == Notification.Types.Kind.Change)
            {
                changes.Add(e.Notification.Version);
            }
        }

        var asked = service.Requests.Select(r => (r.ResumeEpoch, r.ResumeAfterVersion)).ToList();
        Assert.Equal([(string.Empty, 0L), ("e1", 6L), ("e1", 7L), ("e2", 0L), ("e2", 40L)], asked.Take(5));
        Assert.All(service.Requests, r => Assert.Equal(("oven", "wall"), (r.Model, r.ViewerName)));
        Assert.Equal([6L, 7L], changes);
        Assert.Equal(
            [SubscriptionStart.Fresh, SubscriptionStart.Resumed, SubscriptionStart.Resynchronised, SubscriptionStart.Resynchronised, SubscriptionStart.Resynchronised],
            connections.Select(c => c.Start));
        Assert.Equal(
            [
                "subscribed at v5",
                "resumed after v6: the missed changes follow",
                "resynchronised at v0: the model server restarted (epoch e2, was e1)",
                "resynchronised at v40: the changes after v0 are no longer held",
                "resynchronised at v3: the server does not resume subscriptions",
            ],
            connections.Select(c => c.DescribeStart()));
    }

    private static Notification Snapshot(string epoch, long version) => new() { Kind = Notification.Types.Kind.Snapshot, Epoch = epoch, Version = version, ViewerName = "wall" };

    private static Notification Change(string epoch, long version) => new() { Kind = Notification.Types.Kind.Change, Epoch = epoch, Version = version };

    private static Notification Sample(string epoch, long version) => new() { Kind = Notification.Types.Kind.Sample, Epoch = epoch, Version = version, Cause = "fast" };

    /// <summary>Answers the n-th subscription with the n-th script, then ends it as a dropped connection would (UNAVAILABLE).</summary>
    private sealed class ScriptedModel(params Notification[][] scripts) : Model.ModelBase
    {
        public ConcurrentQueue<SubscribeRequest> Requests { get; } = new();

        public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<Notification> responseStream, ServerCallContext context)
        {
            Requests.Enqueue(request);
            foreach (var notification in scripts[Math.Min(Requests.Count, scripts.Length) - 1])
            {
                await responseStream.WriteAsync(notification);
            }

            throw new RpcException(new Status(StatusCode.Unavailable, "connection dropped"));
        }
    }
}
