using Grpc.Core;
using RemoteModel.Grpc.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Security.Tests;

/// <summary>
/// The name server executable as a user meets it on a fresh machine: no keyring anywhere, so the
/// first start makes one that the command-line tools use by themselves; the keys command; the
/// refusals at start; TLS from certificate files.
/// </summary>
public sealed class ServerProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly UserDirectories _home = new();
    private readonly List<ChildProcess> _processes = [];

    private string KeyringPath => _home.KeyringPath;

    public Task InitializeAsync() => Task.CompletedTask;

    // xUnit 2 disposes test classes through IAsyncLifetime, not IAsyncDisposable: without it the servers would outlive the run.
    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task The_first_start_creates_a_private_keyring_that_the_command_line_uses_by_itself()
    {
        var address = await StartNameServerAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyringPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(KeyringPath)!));
        var created = Assert.Single(_processes[0].StandardError.Split('\n'), l => l.Contains("Created keyring", StringComparison.Ordinal));
        Assert.DoesNotContain(KeyringFile.EncodeSecret(KeyringFile.Read(KeyringPath).Keys[0]), _processes[0].StandardError, StringComparison.Ordinal);
        Assert.Contains(KeyringPath, created, StringComparison.Ordinal);

        var (registered, _, _) = await RunAsync(["--ns", address, "register", "lab/oven", "http://127.0.0.1:5000", "--ttl", "00:00:30"]);
        Assert.Equal(0, registered);

        var (unsigned, _, error) = await RunAsync(["--ns", address, "register", "lab/other", "http://127.0.0.1:5001"], new() { ["REMOTEMODEL_Auth__Enabled"] = "false" });
        Assert.Equal(1, unsigned);
        Assert.StartsWith("Unauthenticated: /remotemodel.v1.Naming/Register needs a key with scope 'register'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_are_generated_listed_without_secrets_and_revoked_and_the_server_follows_the_file()
    {
        var address = await StartNameServerAsync();
        var (generated, output, note) = await RunAsync(["keys", "generate", "ops", "--scope", "control", "--scope", "read", "--name", "stage/*"]);
        Assert.Equal(0, generated);
        var secretLine = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ops:", secretLine, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secretLine["ops:".Length..]).Length);
        Assert.Contains("shown only now", note, StringComparison.Ordinal);

        var (listed, table, _) = await RunAsync(["keys", "list"]);
        Assert.Equal(0, listed);
        Assert.Contains(table.Split('\n'), l => l.StartsWith("ops ", StringComparison.Ordinal) && l.Contains("read,control", StringComparison.Ordinal) && l.Contains("stage/*", StringComparison.Ordinal) && l.EndsWith("valid", StringComparison.Ordinal));
        Assert.Contains(table.Split('\n'), l => l.StartsWith("local ", StringComparison.Ordinal) && l.EndsWith("valid (default)", StringComparison.Ordinal));
        Assert.DoesNotContain(secretLine["ops:".Length..], table, StringComparison.Ordinal);

        // The new key is trusted without a restart, and limited to what it was given.
        var asOps = new Dictionary<string, string> { [ClientCredentials.KeyVariable] = secretLine };
        await Eventually.TrueAsync(async () => (await RunAsync(["--ns", address, "list"], asOps)).ExitCode == 0, "the name server to trust the new key");
        var (refused, _, denied) = await RunAsync(["--ns", address, "register", "stage/1", "http://127.0.0.1:5000"], asOps);
        Assert.Equal(1, refused);
        Assert.Equal("PermissionDenied: key 'ops' lacks scope 'register' needed by /remotemodel.v1.Naming/Register; it has: read, control", denied.Trim());

        Assert.Equal(0, (await RunAsync(["keys", "revoke", "ops"])).ExitCode);
        await Eventually.TrueAsync(async () => (await RunAsync(["--ns", address, "list"], asOps)).Error.Contains("key 'ops' was revoked", StringComparison.Ordinal), "the name server to refuse the revoked key");
        Assert.EndsWith("revoked", (await RunAsync(["keys", "list"])).Output.Split('\n').Single(l => l.StartsWith("ops ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Single(_processes[0].StandardError.Split('\n'), l => l.Contains("Auth refused", StringComparison.Ordinal) && l.Contains("lacks scope register", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_keys_command_takes_its_keyring_from_the_auth_settings_and_refuses_a_mistyped_flag()
    {
        var path = Path.Combine(_home.Scratch, "lab-keyring.json");
        var (generated, _, _) = await RunAsync(["keys", "generate", "ops", "--scope", "read", $"--Auth:Keyring={path}"]);
        Assert.Equal(0, generated);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("ops", Assert.Single(KeyringFile.Read(path).Keys).Id);
        Assert.False(File.Exists(KeyringPath));

        var (listed, table, _) = await RunAsync(["keys", "list", "--Auth:Keyring", path]);
        Assert.Equal(0, listed);
        Assert.Contains(table.Split('\n'), l => l.StartsWith("ops ", StringComparison.Ordinal));

        var (mistyped, _, error) = await RunAsync(["keys", "list", "--Auth-Keyring", path]);
        Assert.Equal(2, mistyped);
        Assert.StartsWith("Unrecognized argument '--Auth-Keyring': see --help for the flags; settings are given as --Section:Key=value.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mistyped_flag_stops_the_server_at_start_rather_than_being_read_as_a_setting()
    {
        var server = Start(["--lisen", "http://127.0.0.1:0", "--data-dir", Path.Combine(_home.Scratch, "data")]);
        Assert.Equal(2, await server.WaitForExitAsync(StartTimeout));
        Assert.Contains("Unrecognized argument '--lisen'", server.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_will_not_start_on_a_keyring_others_can_read_and_says_how_to_fix_it()
    {
        KeyringFile.CreateIfMissing(KeyringPath);
        File.SetUnixFileMode(KeyringPath, (UnixFileMode)0b110_100_100);
        var server = Start(["--listen", "http://127.0.0.1:0", "--data-dir", Path.Combine(_home.Scratch, "data")]);
        Assert.NotEqual(0, await server.WaitForExitAsync(StartTimeout));
        Assert.Contains($"Fix it with: chmod 600 {KeyringPath}", string.Join('\n', server.Lines) + server.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_with_authentication_off_warns_at_start_and_lets_anyone_register()
    {
        var address = await StartNameServerAsync("--Auth:Enabled=false");
        Assert.Contains(_processes[0].StandardError.Split('\n'), l => l.Contains("[WRN]", StringComparison.Ordinal) && l.Contains("AUTHENTICATION IS OFF", StringComparison.Ordinal));
        Assert.False(File.Exists(KeyringPath));
        using var channel = SignedChannel.ForAddress(address);
        await new NamingClient(channel).RegisterAsync(new Registration { Name = "anyone", Kind = "model", Endpoints = { "http://127.0.0.1:1" } }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Over_tls_from_certificate_files_signed_calls_work_and_the_certificate_is_checked()
    {
        var (certificate, key) = TestCertificates.WriteSelfSigned(_home.Scratch);
        var address = await StartNameServerAsync("--listen", "https://127.0.0.1:0", $"--Tls:CertificatePath={certificate}", $"--Tls:KeyPath={key}");
        Assert.StartsWith("https://127.0.0.1:", address, StringComparison.Ordinal);

        var signer = new HmacCallSigner(KeyringFile.Read(KeyringPath).SigningKey()!);
        using var trusting = SignedChannel.ForAddress(address, signer, new ChannelSettings { TrustedCertificatePath = certificate });
        var stored = await new NamingClient(trusting).RegisterAsync(new Registration { Name = "secure", Kind = "model", Endpoints = { "https://127.0.0.1:1" } }, TimeSpan.FromSeconds(30));
        Assert.Equal("secure", stored.Name);

        using var untrusting = SignedChannel.ForAddress(address, signer);
        var error = await Assert.ThrowsAsync<RpcException>(() => new NamingClient(untrusting).PingAsync());
        Assert.Contains("The remote certificate is invalid", error.Status.Detail, StringComparison.Ordinal);

        // grpc-dotnet's answer: a failed TLS handshake (no socket or I/O error inside) is INTERNAL, not UNAVAILABLE.
        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task A_tls_key_others_can_read_is_refused_at_start()
    {
        var (certificate, key) = TestCertificates.WriteSelfSigned(_home.Scratch);
        File.SetUnixFileMode(key, (UnixFileMode)0b110_100_100);
        var server = Start(["--listen", "https://127.0.0.1:0", $"--Tls:CertificatePath={certificate}", $"--Tls:KeyPath={key}", "--data-dir", Path.Combine(_home.Scratch, "data")]);
        Assert.NotEqual(0, await server.WaitForExitAsync(StartTimeout));
        Assert.Contains($"The TLS private key {key} can be read or written by others", string.Join('\n', server.Lines) + server.StandardError, StringComparison.Ordinal);
    }

    private async Task<string> StartNameServerAsync(params string[] extra)
    {
        var listen = extra.Contains("--listen") ? [] : new[] { "--listen", "http://127.0.0.1:0" };
        var server = Start([.. listen, "--data-dir", Path.Combine(_home.Scratch, "data"), .. extra]);
        return (await server.WaitForLineAsync("LISTENING ", StartTimeout)).Trim();
    }

    private ChildProcess Start(IEnumerable<string> arguments)
    {
        var process = Executables.Start(Executables.NameServer, arguments, _home.Environment);
        _processes.Add(process);
        return process;
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] arguments, Dictionary<string, string>? extra = null)
    {
        var environment = _home.Environment;
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }

        await using var process = Executables.Start(Executables.NameServer, arguments, environment);
        var exitCode = await process.WaitForExitAsync(StartTimeout);
        return (exitCode, string.Join('\n', process.Lines), process.StandardError);
    }
}
