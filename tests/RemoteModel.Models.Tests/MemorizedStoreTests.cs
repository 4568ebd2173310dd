using Microsoft.Data.Sqlite;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Tests;

/// <summary>The memorized-value store alone, on real SQLite files in a temporary directory.</summary>
public sealed class MemorizedStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 5, 30, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("rm-memorized-").FullName;

    private string StorePath => Path.Combine(_directory, "state", "memorized.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Values_written_are_read_back_per_model_after_reopening_with_their_types()
    {
        using (var store = MemorizedStore.Open(StorePath))
        {
            store.Write("stage/1", [new("Speed", new Value { DoubleValue = 2.5 }), new("Mode", new Value { EnumValue = "Fast" })], "alice", Now);
            store.Write("stage/2", [new("Speed", new Value { IntValue = 7 })], "bob", Now);
            store.Write("stage/1", [new("Speed", new Value { DoubleValue = 3.5 })], "alice", Now);
        }

        Assert.True(File.Exists(StorePath));
        using var reopened = MemorizedStore.Open(StorePath);
        var first = reopened.Read("stage/1");
        Assert.Equal(2, first.Count);
        Assert.Equal(3.5, first["Speed"].DoubleValue);
        Assert.Equal("Fast", first["Mode"].EnumValue);
        Assert.Equal(7, reopened.Read("stage/2")["Speed"].IntValue);
        Assert.Empty(reopened.Read("stage/3"));
    }

    [Fact]
    public void A_write_is_on_disk_when_it_returns_as_another_connection_sees()
    {
        using var store = MemorizedStore.Open(StorePath);
        store.Write("stage", [new("Speed", new Value { DoubleValue = 4 })], "alice [key a]", Now);

        // Another reader of the file, as a restarted server would be, with the writer still open.
        using var other = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False");
        other.Open();
        using var command = other.CreateCommand();
        command.CommandText = "SELECT shown, written_by, written_at FROM memorized WHERE model = 'stage' AND property = 'Speed'";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("4", reader.GetString(0));
        Assert.Equal("alice [key a]", reader.GetString(1));
        Assert.Equal("2026-12-07T05:30:00.0000000Z", reader.GetString(2));
        using var mode = other.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", mode.ExecuteScalar());
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_path_and_what_to_do()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllText(StorePath, new string('x', 8192));

        var refused = Assert.Throws<MemorizedStoreException>(() => MemorizedStore.Open(StorePath));

        Assert.StartsWith($"The memorized-value store {StorePath} cannot be read: ", refused.Message);
        Assert.Contains("file is not a database", refused.Message);
        Assert.Contains("move it aside", refused.Message);
        Assert.Contains("Models:StateStore", refused.Message);
    }

    [Fact]
    public void A_store_whose_values_are_not_values_cannot_be_read()
    {
        using (var store = MemorizedStore.Open(StorePath))
        {
            store.Write("stage", [new("Speed", new Value { DoubleValue = 4 })], "alice", Now);
        }

        using (var damage = new SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            damage.Open();
            using var command = damage.CreateCommand();
            command.CommandText = "UPDATE memorized SET value = x'ffffffff'";
            command.ExecuteNonQuery();
        }

        using var reopened = MemorizedStore.Open(StorePath);
        var refused = Assert.Throws<MemorizedStoreException>(() => reopened.Read("stage"));
        Assert.Contains("reading the values of 'stage'", refused.Message);
    }

    [Fact]
    public void A_directory_that_cannot_be_made_is_refused_clearly()
    {
        var blocker = Path.Combine(_directory, "a-file");
        File.WriteAllText(blocker, "not a directory");
        var path = Path.Combine(blocker, "memorized.db");

        var refused = Assert.Throws<MemorizedStoreException>(() => MemorizedStore.Open(path));

        Assert.StartsWith($"The memorized-value store {path} cannot be read: ", refused.Message);
    }

    [Fact]
    public void The_default_store_is_in_the_users_data_directory()
    {
        Assert.EndsWith(Path.Combine("remotemodel", "memorized.db"), MemorizedStore.DefaultPath);
        Assert.StartsWith(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), MemorizedStore.DefaultPath);
    }
}
