using Microsoft.Extensions.Time.Testing;
using RemoteModel.Security.Keys;
using RemoteModel.Testing;

namespace RemoteModel.Security.Tests;

/// <summary>The keyring file: privacy enforced, written owner-only, created on first use, read again when it changes.</summary>
public sealed class KeyringFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("remotemodel-keyring-").FullName;

    private string PathInside => Path.Combine(_directory, "config", "remotemodel", "keyring.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_first_start_creates_an_owner_only_keyring_with_one_admin_key_that_is_the_default()
    {
        var (keyring, created) = KeyringFile.ReadOrCreate(PathInside);

        Assert.True(created);
        var key = Assert.Single(keyring.Keys);
        Assert.Equal("local", key.Id);
        Assert.Equal(KeyScopes.Admin, key.Scopes);
        Assert.Equal("local", keyring.DefaultKeyId);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathInside));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(PathInside)!));

        var (again, createdAgain) = KeyringFile.ReadOrCreate(PathInside);
        Assert.False(createdAgain);
        Assert.Equal(KeyringFile.EncodeSecret(key), KeyringFile.EncodeSecret(again.Keys[0]));
    }

    [Fact]
    public async Task Servers_starting_at_once_end_up_with_one_key()
    {
        var starts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => KeyringFile.ReadOrCreate(PathInside))));
        Assert.Single(starts, s => s.Created);
        Assert.Single(starts.Select(s => KeyringFile.EncodeSecret(s.Keyring.Keys[0])).Distinct());
        Assert.Equal(KeyringFile.EncodeSecret(KeyringFile.Read(PathInside).Keys[0]), KeyringFile.EncodeSecret(starts[0].Keyring.Keys[0]));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(PathInside)!));
    }

    [Theory]
    [InlineData(0b110_100_100, "0644")]
    [InlineData(0b110_110_000, "0660")]
    [InlineData(0b110_000_010, "0602")]
    public void A_keyring_others_can_read_or_write_is_refused_with_the_fix(int mode, string shown)
    {
        KeyringFile.ReadOrCreate(PathInside);
        File.SetUnixFileMode(PathInside, (UnixFileMode)mode);

        var error = Assert.Throws<KeyringException>(() => KeyringFile.Read(PathInside));
        Assert.Contains($"(mode {shown})", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"Fix it with: chmod 600 {PathInside}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_field_survives_a_write_and_a_read()
    {
        var notBefore = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
        var key = KeyringFile.NewKey("stage-ops", KeyScopes.Control | KeyScopes.Read, [NamePattern.Parse("stage/*")], notBefore, notBefore.AddYears(1));
        KeyringFile.Write(PathInside, new Keyring([key, KeyringFile.NewKey("old", KeyScopes.Read).RevokedAt(notBefore)], "stage-ops"));

        var read = KeyringFile.Read(PathInside);
        var back = read.Find("stage-ops")!;
        Assert.Equal(KeyScopes.Control | KeyScopes.Read, back.Scopes);
        Assert.Equal("stage/*", Assert.Single(back.Names).Text);
        Assert.Equal(notBefore, back.NotBefore);
        Assert.Equal(notBefore.AddYears(1), back.NotAfter);
        Assert.Equal(KeyringFile.EncodeSecret(key), KeyringFile.EncodeSecret(back));
        Assert.Equal(notBefore, read.Find("old")!.Revoked);
        Assert.Equal("stage-ops", read.DefaultKeyId);
    }

    [Fact]
    public void A_malformed_keyring_is_refused_without_quoting_its_contents()
    {
        KeyringFile.ReadOrCreate(PathInside);
        File.WriteAllText(PathInside, """{ "keys": [ { "id": "k", "secret": "c2hvcnQ=", "scopes": ["admin"] } ] }""");

        var error = Assert.Throws<KeyringException>(() => KeyringFile.Read(PathInside));
        Assert.Contains("needs at least 32", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_secret_or_a_bad_id_makes_no_key()
    {
        Assert.Throws<ArgumentException>(() => new AccessKey("k", new byte[31], KeyScopes.Read));
        Assert.Throws<ArgumentException>(() => new AccessKey("Bad Id", new byte[32], KeyScopes.Read));
        Assert.Throws<ArgumentException>(() => new AccessKey(new string('a', 65), new byte[32], KeyScopes.Read));
    }

    [Fact]
    public void The_environment_key_is_read_from_id_and_base64_secret()
    {
        var key = KeyringFile.ParseKey("ci:" + Convert.ToBase64String(new byte[32]));
        Assert.Equal("ci", key.Id);
        var error = Assert.Throws<KeyringException>(() => KeyringFile.ParseKey("no-colon-here"));
        Assert.DoesNotContain("no-colon-here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_reads_its_keyring_again_when_the_file_changes_and_keeps_the_last_good_one_when_it_breaks()
    {
        var clock = new FakeTimeProvider();
        KeyringFile.ReadOrCreate(PathInside);
        var source = new KeyringSource(PathInside, TimeSpan.FromSeconds(1), clock);
        Assert.Null(source.Current.Find("added"));

        KeyringFile.Write(PathInside, source.Current.With(KeyringFile.NewKey("added", KeyScopes.Read)));
        Assert.Null(source.Current.Find("added")); // not looked at again yet
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.NotNull(source.Current.Find("added"));

        KeyringFile.Write(PathInside, source.Current.With(source.Current.Find("added")!.RevokedAt(clock.GetUtcNow())));
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.NotNull(source.Current.Find("added")!.Revoked);

        File.SetUnixFileMode(PathInside, (UnixFileMode)0b110_100_100);
        File.AppendAllText(PathInside, " ");
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(2, source.Current.Keys.Count);
    }

    [Theory]
    [InlineData("stage/*", "stage/1", true)]
    [InlineData("stage/*", "stage/1/x", false)]
    [InlineData("stage/*", "stage", false)]
    [InlineData("ticker/**", "ticker", true)]
    [InlineData("ticker/**", "ticker/viewers/v1", true)]
    [InlineData("ticker/**", "tickers", false)]
    [InlineData("lab/*/arm", "lab/3/arm", true)]
    [InlineData("lab/**/arm", "lab/a/b/arm", true)]
    [InlineData("lab/**/arm", "lab/a/b/leg", false)]
    [InlineData("stage-*", "stage-12", true)]
    [InlineData("*-x*y", "a-xzzy", true)]
    [InlineData("*-x*y", "a-xzz", false)]
    public void Name_patterns_match_by_segments(string pattern, string name, bool matches) =>
        Assert.Equal(matches, NamePattern.Parse(pattern).Matches(name));

    [Theory]
    [InlineData("")]
    [InlineData("stage//x")]
    [InlineData("a/b**")]
    public void Malformed_name_patterns_are_refused(string pattern) =>
        Assert.Throws<FormatException>(() => NamePattern.Parse(pattern));
}
