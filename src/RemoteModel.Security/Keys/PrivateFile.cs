namespace RemoteModel.Security.Keys;

/// <summary>Files that hold secrets (keyrings, TLS private keys) must be private to their owner.</summary>
public static class PrivateFile
{
    private const UnixFileMode GroupOrOthers = (UnixFileMode)0b000_111_111;

    /// <summary>Refuses <paramref name="path"/> when its group or others may read or write it, naming the fix.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What it holds, for the message: "keyring", "TLS private key".</param>
    /// <exception cref="KeyringException">The file is not private.</exception>
    public static void Check(string path, string what)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            throw new KeyringException(
                $"The {what} {path} can be read or written by others (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); " +
                $"it holds secrets, so it is refused. Fix it with: chmod 600 {path}");
        }
    }
}
