using System.Buffers.Binary;
using System.ComponentModel;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Client;
using RemoteModel.Models;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Security.Tests;

/// <summary>
/// Signing as a user of the stock packages does it: a plain <see cref="GrpcChannel"/>, a generated
/// client over <c>channel.SignedWith(signer)</c>, a model served with AddRemoteModels and
/// MapRemoteModels; and what the same server's stock health and reflection services make of a
/// signed channel.
/// </summary>
public sealed class StockChannelTests : IAsyncLifetime
{
    private const string StatusSeal = "remotemodel-status-seal";
    private const int SealLength = 35;

    // The test keyring is the server's keyring: its default key is what a local user signs with.
    private readonly AccessKey _key = TestKeyring.Current.SigningKey()!;
    private readonly Ticker _ticker = new();
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await LoopbackServer.StartAsync(
            services => services.AddRemoteModels((models, _) => models.Add("ticker", _ticker)),
            app => app.MapRemoteModels());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_signed_modify_through_a_stock_channel_is_applied_and_its_end_is_sealed()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address);
        var client = new ModelClient(channel.SignedWith(new HmacCallSigner(_key)));

        var call = client.ModifyAsync(SetRate(5.0));
        var response = await call;

        Assert.Equal(5.0, response.Applied["Rate"].DoubleValue);
        Assert.Equal(5.0, _ticker.Rate);
        Assert.Matches("^[0-9a-f]{64}$", call.GetTrailers().GetValue(StatusSeal));
    }

    [Fact]
    public async Task The_answer_on_the_wire_carries_the_documented_seals_of_that_call()
    {
        // Checked from what crossed the wire, not by the client under test: with the sealer that the
        // worked example ties to docs/security.md, for the nonce the request carried.
        var wire = new WireTap();
        using var channel = GrpcChannel.ForAddress(_server.Address, new GrpcChannelOptions { HttpHandler = wire, DisposeHttpClient = true });
        var response = await new ModelClient(channel.SignedWith(new HmacCallSigner(_key))).ModifyAsync(SetRate(7.5));

        var body = wire.ResponseBody!;
        Assert.Equal(0, body[0]); // not compressed
        var framed = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4));
        Assert.Equal(body.Length - 5, framed);
        var message = body.AsSpan(5, framed - SealLength).ToArray();
        Assert.Equal(response, ModifyResponse.Parser.ParseFrom(message));

        var sealer = new HmacResponseSealer(_key, wire.RequestHeader("remotemodel-nonce")!);
        var seal = new byte[SealLength];
        sealer.SealMessage(message, seal);
        Assert.Equal(Convert.ToHexStringLower(seal), Convert.ToHexStringLower(body.AsSpan(5 + message.Length)));
        var trailers = new Metadata();
        sealer.SealEnd(Status.DefaultSuccess, trailers);
        Assert.Equal(trailers.GetValue(StatusSeal), wire.ResponseTrailer(StatusSeal));
    }

    [Fact]
    public async Task An_answer_altered_on_the_way_is_refused_with_unauthenticated()
    {
        // The last byte of the message before its seal is the high byte of the applied double:
        // a client that did not check would read another value than the server applied.
        using var channel = GrpcChannel.ForAddress(_server.Address, new GrpcChannelOptions { HttpHandler = new WireTap(flip: ^(SealLength + 1)), DisposeHttpClient = true });
        var client = new ModelClient(channel.SignedWith(new HmacCallSigner(_key)));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ModifyAsync(SetRate(5.0)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith($"the response could not be verified: a response message's seal does not match with key '{_key.Id}'", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(5.0, _ticker.Rate);
    }

    [Fact]
    public async Task A_refused_modify_is_passed_on_with_its_sealed_status()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address);
        var client = new ModelClient(channel.SignedWith(new HmacCallSigner(_key)));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ModifyAsync(SetRate(1000)).ResponseAsync);

        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);
        Assert.Contains("Rate", error.Status.Detail, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{64}$", error.Trailers.GetValue(StatusSeal));
        Assert.Equal(1.0, _ticker.Rate);
    }

    [Fact]
    public async Task The_stock_health_service_verifies_a_signed_call_and_seals_its_answers()
    {
        // Health is mapped through the authenticated method provider: unary Check and streaming Watch are both sealed.
        using var channel = GrpcChannel.ForAddress(_server.Address);
        var health = new Health.HealthClient(channel.SignedWith(new HmacCallSigner(_key)));

        var check = health.CheckAsync(new HealthCheckRequest { Service = "remotemodel.v1.Model" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await check).Status);
        Assert.Matches("^[0-9a-f]{64}$", check.GetTrailers().GetValue(StatusSeal));

        using var cancel = new CancellationTokenSource();
        using var watch = health.Watch(new HealthCheckRequest(), cancellationToken: cancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
        await cancel.CancelAsync();

        var stranger = new Health.HealthClient(channel.SignedWith(new HmacCallSigner(KeyringFile.NewKey("stranger", KeyScopes.Read))));
        var refused = await Assert.ThrowsAsync<RpcException>(() => stranger.CheckAsync(new HealthCheckRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("key 'stranger' is unknown to this server", refused.Status.Detail);
    }

    [Fact]
    public async Task The_stock_reflection_service_answers_a_signed_channel_unsigned_and_unsealed()
    {
        // Reflection is a duplex call: a signing invoker sends it as it is, and the server neither checks nor seals it.
        using var channel = GrpcChannel.ForAddress(_server.Address);
        var stranger = new HmacCallSigner(KeyringFile.NewKey("stranger", KeyScopes.Read));
        using var call = new ServerReflection.ServerReflectionClient(channel.SignedWith(stranger)).ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        var services = new List<string>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            services.AddRange(response.ListServicesResponse.Service.Select(s => s.Name));
        }

        Assert.Contains("remotemodel.v1.Model", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Null(call.GetTrailers().GetValue(StatusSeal));
    }

    private static ModifyRequest SetRate(double rate) =>
        new() { Model = "ticker", Values = { ["Rate"] = new Value { DoubleValue = rate } } };

    /// <summary>A small model: one writable double with a range.</summary>
    private sealed class Ticker : INotifyPropertyChanged
    {
        private double _rate = 1.0;

        public event PropertyChangedEventHandler? PropertyChanged;

        [ModelProperty(Unit = "Hz", Minimum = 0.1, Maximum = 100)]
        public double Rate
        {
            get => _rate;
            set
            {
                _rate = value;
                PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Rate)));
            }
        }
    }
}
