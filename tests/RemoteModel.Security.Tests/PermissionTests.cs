using System.ComponentModel;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Security.Tests;

/// <summary>Scopes and name patterns as the real name and model services apply them, on one loopback server.</summary>
public sealed class PermissionTests : IAsyncLifetime
{
    private readonly AccessKey _admin = KeyringFile.NewKey("admin", KeyScopes.Admin);
    private readonly AccessKey _reader = KeyringFile.NewKey("reader", KeyScopes.Read);
    private readonly AccessKey _stageRegistrar = KeyringFile.NewKey("stage-registrar", KeyScopes.Register, [NamePattern.Parse("stage/*")]);
    private readonly AccessKey _stageOperator = KeyringFile.NewKey("stage-ops", KeyScopes.Control | KeyScopes.Read, [NamePattern.Parse("stage/*")]);
    private readonly List<SignedChannel> _channels = [];
    private LoopbackServer _open = null!;
    private LoopbackServer _protected = null!;

    public async Task InitializeAsync()
    {
        _open = await StartAsync(protectReads: false);
        _protected = await StartAsync(protectReads: true);
    }

    public async Task DisposeAsync()
    {
        _channels.ForEach(c => c.Dispose());
        await _open.DisposeAsync();
        await _protected.DisposeAsync();
    }

    [Fact]
    public async Task Registering_needs_scope_register_on_the_name()
    {
        var registration = new Registration { Name = "stage/1", Kind = "model", Endpoints = { "http://127.0.0.1:5001" } };
        Assert.Equal("stage/1", (await Naming(_open, _stageRegistrar).RegisterAsync(registration, TimeSpan.FromSeconds(30))).Name);

        var unsigned = await Refused(() => Naming(_open, null).RegisterAsync(registration, TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCode.Unauthenticated, unsigned.StatusCode);
        Assert.StartsWith("/remotemodel.v1.Naming/Register needs a key with scope 'register'", unsigned.Status.Detail, StringComparison.Ordinal);

        var reader = await Refused(() => Naming(_open, _reader).RegisterAsync(registration, TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);
        Assert.Equal("key 'reader' lacks scope 'register' needed by /remotemodel.v1.Naming/Register; it has: read", reader.Status.Detail);

        var elsewhere = await Refused(() => Naming(_open, _stageRegistrar).RegisterAsync(
            new Registration { Name = "robot/1", Kind = "model", Endpoints = { "http://127.0.0.1:5002" } }, TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCode.PermissionDenied, elsewhere.StatusCode);
        Assert.Equal("key 'stage-registrar' is not allowed on 'robot/1'; it covers: stage/*", elsewhere.Status.Detail);
    }

    [Fact]
    public async Task A_key_limited_to_some_names_renews_and_ends_only_leases_on_those_names()
    {
        var robot = await Naming(_open, _admin).RegisterAsync(new Registration { Name = "robot/7", Kind = "model", Endpoints = { "http://127.0.0.1:5007" } }, TimeSpan.FromSeconds(30));
        var renew = await Refused(() => Naming(_open, _stageRegistrar).KeepAliveAsync(robot.LeaseId));
        Assert.Equal(StatusCode.PermissionDenied, renew.StatusCode);
        Assert.Equal("key 'stage-registrar' is not allowed on 'robot/7'; it covers: stage/*", renew.Status.Detail);
        var end = await Refused(() => Naming(_open, _stageRegistrar).UnregisterAsync(robot.LeaseId));
        Assert.Equal(StatusCode.PermissionDenied, end.StatusCode);
        Assert.Equal("robot/7", (await Naming(_open, null).LookupAsync("robot/7")).Name);

        var own = await Naming(_open, _stageRegistrar).RegisterAsync(new Registration { Name = "stage/7", Kind = "model", Endpoints = { "http://127.0.0.1:5008" } }, TimeSpan.FromSeconds(30));
        Assert.True(await Naming(_open, _stageRegistrar).KeepAliveAsync(own.LeaseId) > TimeSpan.Zero);
        await Naming(_open, _stageRegistrar).UnregisterAsync(own.LeaseId);
        await Naming(_open, _admin).UnregisterAsync(robot.LeaseId);
    }

    [Fact]
    public async Task Removing_any_registration_needs_admin()
    {
        await Naming(_open, _admin).RegisterAsync(new Registration { Name = "stage/9", Kind = "model", Endpoints = { "http://127.0.0.1:5009" } }, TimeSpan.Zero);
        var registrar = await Refused(() => Naming(_open, _stageRegistrar).RemoveAsync("stage/9"));
        Assert.Equal(StatusCode.PermissionDenied, registrar.StatusCode);
        Assert.True(await Naming(_open, _admin).RemoveAsync("stage/9"));
    }

    [Fact]
    public async Task Reads_are_open_unless_protected_and_then_need_scope_read()
    {
        await Naming(_open, _admin).RegisterAsync(new Registration { Name = "stage/2", Kind = "model", Endpoints = { "http://127.0.0.1:5003" } }, TimeSpan.FromSeconds(30));
        Assert.NotEmpty((await Naming(_open, null).ListAsync()).Registrations);
        Assert.Equal("test", (await Naming(_protected, null).PingAsync()).Server);

        var unsigned = await Refused(() => Naming(_protected, null).ListAsync());
        Assert.Equal(StatusCode.Unauthenticated, unsigned.StatusCode);
        Assert.Empty((await Naming(_protected, _reader).ListAsync()).Registrations);

        var describe = await Refused(() => Models(_protected, null).DescribeAsync("stage/1"));
        Assert.Equal(StatusCode.Unauthenticated, describe.StatusCode);
        Assert.Equal("stage/1", (await Models(_protected, _reader).DescribeAsync("stage/1")).Model);
    }

    [Fact]
    public async Task Modifying_and_invoking_need_scope_control_on_the_model_and_the_audit_names_the_key()
    {
        var values = new Dictionary<string, object?> { ["Position"] = 12.5 };
        var asAlice = new CallOptions(headers: new Metadata { { CallerHeaderAuthorizer.CallerHeader, "alice@lab" } });
        var applied = await Models(_open, _stageOperator).ModifyAsync("stage/1", values, options: asAlice);

        var reader = await Refused(() => Models(_open, _reader).ModifyAsync("stage/1", values));
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);
        var unsigned = await Refused(() => Models(_open, null).InvokeAsync("stage/1", "Home"));
        Assert.Equal(StatusCode.Unauthenticated, unsigned.StatusCode);
        var otherModel = await Refused(() => Models(_open, _stageOperator).ModifyAsync("robot/1", values));
        Assert.Equal(StatusCode.PermissionDenied, otherModel.StatusCode);
        Assert.Equal("key 'stage-ops' is not allowed on 'robot/1'; it covers: stage/*", otherModel.Status.Detail);

        var history = await Models(_open, _reader).HistoryAsync("stage/1");
        var record = Assert.Single(history);
        Assert.Equal("alice@lab [key stage-ops]", record.Caller);
        Assert.Equal(applied.Version, record.Version);
        Assert.Equal(12.5, (await Models(_open, null).QueryAsync("stage/1")).Values["Position"].DoubleValue);
    }

    /// <summary>
    /// A server as the executables build theirs (AddNameService, AddRemoteModels: the scope checks
    /// as the Auth section sets them), verifying with this class's keyring in place of the test keyring.
    /// </summary>
    private async Task<LoopbackServer> StartAsync(bool protectReads)
    {
        var keyring = new Keyring([_admin, _reader, _stageRegistrar, _stageOperator]);
        return await LoopbackServer.StartAsync(
            services =>
            {
                services.AddSingleton<CallVerifier>(new HmacCallVerifier(KeyringSource.Fixed(keyring)));
                services.AddNameService();
                services.AddRemoteModels((models, _) =>
                {
                    models.Add("stage/1", new Stage());
                    models.Add("robot/1", new Stage());
                });
            },
            app =>
            {
                app.MapNameService();
                app.MapRemoteModels();
            },
            new Dictionary<string, string?> { ["Auth:ProtectReads"] = protectReads ? "true" : "false", ["Naming:ServerName"] = "test" });
    }

    private NamingClient Naming(LoopbackServer server, AccessKey? key) => new(Channel(server, key));

    private ModelClient Models(LoopbackServer server, AccessKey? key) => new(Channel(server, key));

    private SignedChannel Channel(LoopbackServer server, AccessKey? key)
    {
        var channel = SignedChannel.ForAddress(server.Address, key is null ? null : new HmacCallSigner(key));
        _channels.Add(channel);
        return channel;
    }

    private static Task<RpcException> Refused(Func<Task> call) => Assert.ThrowsAsync<RpcException>(call);

    private sealed class Stage : INotifyPropertyChanged
    {
        private double _position;

        public event PropertyChangedEventHandler? PropertyChanged;

        public double Position
        {
            get => _position;
            set
            {
                _position = value;
                OnChanged();
            }
        }

        [RemoteModel.Models.Operation]
        public void Home() => Position = 0;

        private void OnChanged([CallerMemberName] string? name = null) => PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
    }
}
