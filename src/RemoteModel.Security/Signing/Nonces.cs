using System.Security.Cryptography;

namespace RemoteModel.Security.Signing;

/// <summary>
/// Fresh nonces for signed calls: <see cref="SigningScheme.NonceLength"/> random bytes each, never
/// handed out twice. The cryptographic generator (OpenSSL's DRBG) costs about a microsecond a call
/// whatever the size asked for, so each thread takes many nonces' worth at once and hands them out
/// in turn; a thread's bytes are its own, so no two calls can get the same ones.
/// </summary>
internal static class Nonces
{
    private const int PerFill = 64;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_next;

    /// <summary>The next nonce, in lowercase hex as the <c>remotemodel-nonce</c> header carries it.</summary>
    public static string NextHex()
    {
        var random = t_random ??= new byte[PerFill * SigningScheme.NonceLength];
        if (t_next == 0)
        {
            RandomNumberGenerator.Fill(random);
        }

        var nonce = Convert.ToHexStringLower(random.AsSpan(t_next, SigningScheme.NonceLength));
        t_next = (t_next + SigningScheme.NonceLength) % random.Length;
        return nonce;
    }
}
