using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Testing;

namespace RemoteModel.Controller.Tests;

/// <summary>
/// The REPL's <c>t.Lock()</c> against a real model server that checks keys as the model server
/// does, with a keyring of its own: an operator key (scope control) and an admin key.
/// </summary>
public sealed class LockTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rm-lock-keys-").FullName;
    private readonly AccessKey _operator = KeyringFile.NewKey("ops", KeyScopes.Control | KeyScopes.Read);
    private readonly AccessKey _admin = KeyringFile.NewKey("root", KeyScopes.Admin);
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        var keyring = Path.Combine(_directory, "keyring.json");
        KeyringFile.Write(keyring, new Keyring([_operator, _admin], "ops"));
        _server = await LoopbackServer.StartAsync(
            services => services.AddRemoteModels((registry, _) => registry.Add("oven", new Oven())),
            app => app.MapRemoteModels(),
            new Dictionary<string, string?> { ["Auth:Keyring"] = keyring });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<ModelProxy> ConnectAsync(string caller, AccessKey key) =>
        ModelProxy.ConnectAsync(_server.Address, "oven", new ClientOptions { Caller = caller, Signer = new HmacCallSigner(key) });

    [Fact]
    public async Task The_models_listing_shows_who_holds_each_lock()
    {
        using var alice = await ConnectAsync("alice", _operator);
        using var bob = await ConnectAsync("bob", _operator);
        Assert.Equal(["MODEL", "TYPE", "VERSION", "STATE", "LOCK"], ReadableText.Format(bob.Models()).Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^oven +\S+ +v0 +\S+ +unlocked$", ReadableText.Format(bob.Models()).Split('\n')[1]);

        await using (alice.Lock())
        {
            var row = ReadableText.Format(bob.Models()).Split('\n')[1];
            Assert.Matches(@"^oven +\S+ +v0 +\S+ +locked by alice \[key ops\] since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", row);
        }

        Assert.Null(Assert.Single(await bob.ModelsAsync()).Lock);
    }

    [Fact]
    public async Task A_lock_refuses_another_controllers_modify_and_an_admin_breaks_it()
    {
        using var alice = await ConnectAsync("alice", _operator);
        using var bob = await ConnectAsync("bob", _operator);
        using var root = await ConnectAsync("root", _admin);

        await using var held = alice.Lock();

        Assert.Equal("alice [key ops]", held.Lock.Holder);
        Assert.StartsWith("oven locked by alice [key ops] since ", ReadableText.Format(held), StringComparison.Ordinal);
        Assert.Contains(", locked by alice [key ops] since ", ReadableText.Format(bob.Describe()).Split('\n')[0], StringComparison.Ordinal);
        alice.Modify(new { Setpoint = 100 });
        var refused = Assert.Throws<ModelCallException>(() => bob.Modify(new { Setpoint = 150 }));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Matches(@"^oven refused Modify \{ Setpoint = 150 \}: model 'oven' is locked by alice \[key ops\] since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(for as long as its HoldLock stream is open\) \(FAILED_PRECONDITION\)$", refused.Message);
        Assert.Equal(StatusCode.FailedPrecondition, Assert.Throws<ModelCallException>(() => bob.Lock()).StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, Assert.Throws<ModelCallException>(() => bob.Unlock()).StatusCode);
        var denied = Assert.Throws<ModelCallException>(() => bob.Unlock(force: true));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("key 'ops' lacks scope 'admin'", denied.Message, StringComparison.Ordinal);
        Assert.True(held.IsHeld);

        var broken = root.Unlock(force: true);

        Assert.Equal("alice [key ops]", broken?.Holder);
        Assert.Equal("the lock of model 'oven' was broken by root [key root]", await held.Lost.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(held.IsHeld);
        bob.Modify(new { Setpoint = 150 });
        var audit = root.History().Where(r => r.Action.Contains("lock", StringComparison.Ordinal)).Select(r => $"{r.Caller} {r.Action} {r.StatusCode}");
        Assert.Equal(["alice [key ops] lock 0", "bob [key ops] lock 9", "bob [key ops] unlock 9", "root [key root] break-lock 0"], audit);
    }

    [Fact]
    public async Task A_lock_used_in_a_using_block_is_released_when_the_block_ends()
    {
        using var alice = await ConnectAsync("alice", _operator);
        using var bob = await ConnectAsync("bob", _operator);

        using (alice.Lock())
        {
            Assert.Equal(StatusCode.FailedPrecondition, Assert.Throws<ModelCallException>(() => bob.Modify(new { Setpoint = 120 })).StatusCode);
        }

        Assert.Equal(120.0, bob.Modify(new { Setpoint = 120 })["Setpoint"]);
        Assert.Null(bob.Describe().Lock);
    }
}
