using System.Text;

namespace RemoteModel.Naming.Etcd.Gateway;

/// <summary>Registration names as etcd keys: the key prefix, then the name, in UTF-8.</summary>
internal sealed class EtcdKeys(string keyPrefix)
{
    /// <summary>The range end that means "every key from the start key on".</summary>
    private static readonly byte[] AllFollowing = [0];

    private readonly byte[] _prefix = Encoding.UTF8.GetBytes(keyPrefix);

    /// <summary>The key of <paramref name="name"/>; with a name prefix, the first key of that range.</summary>
    public byte[] KeyOf(string name)
    {
        var key = new byte[_prefix.Length + Encoding.UTF8.GetByteCount(name)];
        _prefix.CopyTo(key, 0);
        Encoding.UTF8.GetBytes(name, key.AsSpan(_prefix.Length));
        return key;
    }

    /// <summary>The name a key stands for.</summary>
    public string NameOf(byte[] key) =>
        key.AsSpan().StartsWith(_prefix) ? Encoding.UTF8.GetString(key.AsSpan(_prefix.Length)) : Encoding.UTF8.GetString(key);

    /// <summary>
    /// The end (exclusive) of the range of keys that start with <paramref name="start"/>: the
    /// start with its last byte below 0xff incremented and what follows it cut off, as etcd's
    /// own clients compute it. A start that is empty or all 0xff has no such end: every following key.
    /// </summary>
    public static byte[] RangeEndOf(byte[] start)
    {
        for (var i = start.Length - 1; i >= 0; i--)
        {
            if (start[i] < 0xff)
            {
                var end = start[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        return AllFollowing;
    }
}
