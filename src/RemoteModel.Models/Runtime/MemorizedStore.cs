using Google.Protobuf;
using Microsoft.Data.Sqlite;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// Where memorized property values outlive the model server (Tango's memorized attributes): one
/// SQLite file, one row per model name and property, holding the last value written as its wire
/// form. Each write is committed durably (full sync) before it returns, so a process killed right
/// after a Modify answered has it on disk. Thread-safe; several hosts share one store.
/// </summary>
internal sealed class MemorizedStore : IDisposable
{
    private readonly SqliteConnection _connection;

    private MemorizedStore(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    /// <summary>The store's file.</summary>
    public string Path { get; }

    /// <summary>Where the store is unless configured: <c>memorized.db</c> in the user's data directory (<c>$XDG_DATA_HOME/remotemodel</c>, <c>~/.local/share/remotemodel</c>).</summary>
    public static string DefaultPath =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "remotemodel", "memorized.db");

    /// <summary>Opens the store at <paramref name="path"/>, making it (and its directory) when there is none.</summary>
    /// <exception cref="MemorizedStoreException">It cannot be made, opened or read whole.</exception>
    public static MemorizedStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = System.IO.Path.GetFullPath(path);
        SqliteConnection? connection = null;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            if (!File.Exists(path) && !OperatingSystem.IsWindows())
            {
                // The owner's alone, as the user's other files here; SQLite gives its journal files the same mode.
                using var created = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }

            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            connection.Open();
            // WAL with a full sync: a commit is on disk when it returns, and readers never wait for a writer.
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
            if (Scalar(connection, "PRAGMA quick_check;") is not "ok" and var check)
            {
                throw new MemorizedStoreException(Explain(path, $"it is damaged ({check})"));
            }

            Execute(connection, """
                CREATE TABLE IF NOT EXISTS memorized (
                    model TEXT NOT NULL,
                    property TEXT NOT NULL,
                    value BLOB NOT NULL,
                    shown TEXT NOT NULL,
                    written_by TEXT NOT NULL,
                    written_at TEXT NOT NULL,
                    PRIMARY KEY (model, property));
                """);
            return new MemorizedStore(path, connection);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new MemorizedStoreException(Explain(path, ex.Message.TrimEnd('.')), ex);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    /// <summary>The values memorized for <paramref name="model"/>, by property.</summary>
    /// <exception cref="MemorizedStoreException">The store cannot be read, or holds a value that is not a value.</exception>
    public IReadOnlyDictionary<string, Value> Read(string model)
    {
        lock (_connection)
        {
            var values = new Dictionary<string, Value>(StringComparer.Ordinal);
            try
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT property, value FROM memorized WHERE model = $model;";
                command.Parameters.AddWithValue("$model", model);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var property = reader.GetString(0);
                    values[property] = Value.Parser.ParseFrom((byte[])reader.GetValue(1));
                }
            }
            catch (Exception ex) when (ex is SqliteException or InvalidProtocolBufferException or InvalidCastException)
            {
                throw new MemorizedStoreException(Explain(Path, $"reading the values of '{model}': {ex.Message.TrimEnd('.')}"), ex);
            }

            return values;
        }
    }

    /// <summary>Keeps <paramref name="values"/> as the last written of <paramref name="model"/>'s properties, in one transaction, on disk when it returns.</summary>
    /// <exception cref="MemorizedStoreException">The write failed; nothing of it was kept.</exception>
    public void Write(string model, IEnumerable<KeyValuePair<string, Value>> values, string writtenBy, DateTimeOffset writtenAt)
    {
        lock (_connection)
        {
            try
            {
                using var transaction = _connection.BeginTransaction();
                using var command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    INSERT INTO memorized (model, property, value, shown, written_by, written_at)
                    VALUES ($model, $property, $value, $shown, $by, $at)
                    ON CONFLICT (model, property) DO UPDATE SET
                        value = excluded.value, shown = excluded.shown, written_by = excluded.written_by, written_at = excluded.written_at;
                    """;
                var property = command.Parameters.Add("$property", SqliteType.Text);
                var value = command.Parameters.Add("$value", SqliteType.Blob);
                var shown = command.Parameters.Add("$shown", SqliteType.Text);
                command.Parameters.AddWithValue("$model", model);
                command.Parameters.AddWithValue("$by", writtenBy);
                command.Parameters.AddWithValue("$at", writtenAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                foreach (var (name, written) in values)
                {
                    property.Value = name;
                    value.Value = written.ToByteArray();
                    shown.Value = written.ToDisplayString();
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                throw new MemorizedStoreException($"Memorizing the values of '{model}' in {Path} failed: {ex.Message}", ex);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_connection)
        {
            _connection.Dispose();
        }
    }

    private static string Explain(string path, string problem) =>
        $"The memorized-value store {path} cannot be read: {problem}. The model server does not start without the values it memorized; "
        + "repair the file or move it aside (a new, empty store is made where there is none), or set Models:StateStore to another path.";

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
