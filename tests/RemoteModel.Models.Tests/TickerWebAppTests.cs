using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Examples.TickerWebApp;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Testing;
using Xunit;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>examples/TickerWebApp: an ordinary ASP.NET Core app serves the ticker over gRPC beside its own HTTP endpoints.</summary>
public sealed class TickerWebAppTests : IAsyncLifetime
{
    // The ticker's Rate is memorized: each test keeps it in a store of its own, never the user's.
    private readonly string _state = Directory.CreateTempSubdirectory("rm-webapp-state-").FullName;
    private WebApplication _app = null!;
    private string _web = null!;
    private string _grpc = null!;

    public async Task InitializeAsync()
    {
        // The example's appsettings.json names fixed ports; a test takes free ones, with the same protocols.
        _app = TickerWebApp.Build(
        [
            "--Kestrel:Endpoints:Web:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Web:Protocols=Http1",
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            $"--Models:StateStore={Path.Combine(_state, "memorized.db")}",
        ]);
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        Assert.Equal(2, addresses.Count);

        // The HTTP/1.1 endpoint is the one that answers an HTTP/1.1 GET; the other speaks only HTTP/2.
        using var http = new HttpClient();
        _web = (await Task.WhenAll(addresses.Select(async a => (Address: a, Answers: await AnswersHttp1Async(http, a))))).Single(a => a.Answers).Address;
        _grpc = addresses.Single(a => a != _web);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task The_apps_own_endpoint_and_a_signed_grpc_client_see_the_same_model()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_web) };
        Assert.Equal(1.0, (await http.GetFromJsonAsync<PriceView>("/price"))!.Rate);

        // What a user of the stock client does: their own GrpcChannel, the generated client, the project's signing.
        using var channel = GrpcChannel.ForAddress(_grpc);
        var ticker = new ModelClient(channel.SignedWith(TestKeyring.Signer));
        var modified = await ticker.ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 5.0 });
        Assert.Equal(5.0, modified.Applied["Rate"].DoubleValue);

        Assert.Equal(5.0, (await http.GetFromJsonAsync<PriceView>("/price"))!.Rate);
        var history = await ticker.HistoryAsync("ticker");
        Assert.Contains(history, r => r.Action == "modify" && r.Caller == "key local");
    }

    [Fact]
    public async Task The_model_service_refuses_an_unsigned_change_while_the_apps_own_endpoints_stay_open()
    {
        using var channel = GrpcChannel.ForAddress(_grpc);
        var error = await Assert.ThrowsAsync<RpcException>(() => new ModelClient(channel).ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 7.0 }));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);

        using var http = new HttpClient { BaseAddress = new Uri(_web) };
        Assert.Equal(1.0, (await http.GetFromJsonAsync<PriceView>("/price"))!.Rate);
    }

    private static async Task<bool> AnswersHttp1Async(HttpClient http, string address)
    {
        try
        {
            return (await http.GetAsync(address)).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private sealed record PriceView(string Symbol, double Price, double Rate);
}
