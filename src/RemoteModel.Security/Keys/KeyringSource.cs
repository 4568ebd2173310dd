using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RemoteModel.Security.Keys;

/// <summary>
/// The keyring a server trusts, read again when its file changes (a key generated or revoked
/// takes effect without a restart). A file that turns unusable is logged and the last good
/// keyring kept, so a half-written edit cannot lock everyone out or let everyone in.
/// </summary>
public sealed partial class KeyringSource
{
    private readonly string? _path;
    private readonly TimeProvider _time;
    private readonly TimeSpan _checkInterval;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Keyring _current;
    private DateTime _fileTime;
    private long _fileLength;
    private DateTimeOffset _nextCheck;

    /// <summary>The keyring in <paramref name="path"/>, which must exist and be private; its file is looked at again at most every <paramref name="checkInterval"/>.</summary>
    /// <exception cref="KeyringException">The file is not private or not a keyring.</exception>
    public KeyringSource(string path, TimeSpan checkInterval, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _path = path;
        _time = timeProvider ?? TimeProvider.System;
        _checkInterval = checkInterval;
        _logger = logger ?? NullLogger.Instance;
        (_fileTime, _fileLength) = Stamp(path);
        _current = KeyringFile.Read(path);
        _nextCheck = _time.GetUtcNow() + checkInterval;
    }

    private KeyringSource(Keyring keyring)
    {
        _current = keyring;
        _time = TimeProvider.System;
        _logger = NullLogger.Instance;
    }

    /// <summary>The keyring as it is now.</summary>
    public Keyring Current
    {
        get
        {
            if (_path is null || _time.GetUtcNow() < _nextCheck)
            {
                return _current;
            }

            lock (_lock)
            {
                if (_time.GetUtcNow() >= _nextCheck)
                {
                    _nextCheck = _time.GetUtcNow() + _checkInterval;
                    Reload();
                }

                return _current;
            }
        }
    }

    /// <summary>A keyring that never changes (for tests and embedding).</summary>
    public static KeyringSource Fixed(Keyring keyring) => new(keyring);

    private void Reload()
    {
        try
        {
            var stamp = Stamp(_path!);
            if (stamp == (_fileTime, _fileLength))
            {
                return;
            }

            _current = KeyringFile.Read(_path!);
            (_fileTime, _fileLength) = stamp;
            LogReloaded(_path!, _current.Keys.Count);
        }
        catch (Exception ex) when (ex is KeyringException or IOException or UnauthorizedAccessException)
        {
            LogReloadFailed(_path!, ex.Message);
        }
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Keyring {Path} read again: {KeyCount} keys")]
    private partial void LogReloaded(string path, int keyCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Keyring {Path} changed but cannot be used, the keys read before stay in force: {Reason}")]
    private partial void LogReloadFailed(string path, string reason);
}
