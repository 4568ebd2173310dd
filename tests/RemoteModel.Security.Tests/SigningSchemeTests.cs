using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;

namespace RemoteModel.Security.Tests;

/// <summary>
/// The signer's and sealer's HMACs against ones computed here, independently, over the byte strings
/// of docs/security.md: for texts longer than the signer keeps on the stack, for messages in
/// several pieces, for messages too large to be hashed in one piece with their text, and with
/// many threads sharing one key's HMAC state.
/// </summary>
public sealed class SigningSchemeTests
{
    private const string Nonce = "000102030405060708090a0b0c0d0e0f";
    private static readonly byte[] Secret = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly AccessKey Key = new("example", Secret, KeyScopes.Admin);

    [Fact]
    public void A_status_detail_longer_than_the_stack_buffer_is_sealed_as_documented()
    {
        // Two UTF-8 bytes a character: well past the text the signer builds on the stack.
        var detail = new string('é', 1_000);
        var trailers = new Metadata();
        new HmacResponseSealer(Key, Nonce).SealEnd(new Status(StatusCode.FailedPrecondition, detail), trailers);

        var expected = Hmac($"remotemodel-v1 status\n{Nonce}\n0\n9\n{detail}");
        Assert.Equal(expected, trailers.GetValue("remotemodel-status-seal"));
    }

    [Fact]
    public void A_request_on_a_long_method_path_in_several_pieces_is_signed_as_documented()
    {
        var method = "/remotemodel.v1.Model/" + new string('M', 600);
        byte[] message = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];
        var signature = HmacCallSigner.Sign(Key, method, "1795000000000", Nonce, Pieces(message, 3));

        Assert.Equal(Hmac($"remotemodel-v1\n{method}\n1795000000000\n{Nonce}\nexample\n", message), signature);
    }

    [Fact]
    public void Each_message_of_a_stream_is_sealed_with_its_own_sequence_number()
    {
        var sealer = new HmacResponseSealer(Key, Nonce);
        byte[] message = [0x08, 0x2b];
        var seal = new byte[sealer.SealLength];
        for (var sequence = 0; sequence < 3; sequence++)
        {
            sealer.SealMessage(message, seal);
            Assert.Equal("fa7f20" + Hmac($"remotemodel-v1 response\n{Nonce}\n{sequence}\n", message), Convert.ToHexStringLower(seal));
        }
    }

    [Fact]
    public void Messages_past_what_is_hashed_with_their_text_in_one_piece_are_signed_and_sealed_as_documented()
    {
        // A small message is joined to its text on the stack and hashed in one call; these are not.
        byte[] message = [.. Enumerable.Range(0, 5_000).Select(i => (byte)i)];
        var signature = HmacCallSigner.Sign(Key, "/m", "1795000000000", Nonce, new ReadOnlySequence<byte>(message));
        Assert.Equal(Hmac($"remotemodel-v1\n/m\n1795000000000\n{Nonce}\nexample\n", message), signature);

        var sealer = new HmacResponseSealer(Key, Nonce);
        var seal = new byte[sealer.SealLength];
        sealer.SealMessage(message, seal);
        Assert.Equal("fa7f20" + Hmac($"remotemodel-v1 response\n{Nonce}\n0\n", message), Convert.ToHexStringLower(seal));
    }

    [Fact]
    public async Task Calls_signed_on_many_threads_at_once_each_get_their_own_signature()
    {
        // One key's HMAC state is shared by every call: no call may see another's bytes.
        var signatures = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            Enumerable.Range(0, 200).Select(j =>
            {
                byte[] message = [(byte)i, (byte)j];
                var signature = HmacCallSigner.Sign(Key, "/m", "1", Nonce, new ReadOnlySequence<byte>(message));
                return signature == Hmac($"remotemodel-v1\n/m\n1\n{Nonce}\nexample\n", message);
            }).All(matches => matches))));

        Assert.All(signatures, Assert.True);
    }

    private static string Hmac(string text, byte[]? message = null)
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes(text), .. message ?? []];
        return Convert.ToHexStringLower(HMACSHA256.HashData(Secret, bytes));
    }

    /// <summary><paramref name="bytes"/> as a sequence of <paramref name="count"/> segments.</summary>
    private static ReadOnlySequence<byte> Pieces(byte[] bytes, int count)
    {
        var size = (bytes.Length + count - 1) / count;
        var first = new Segment(bytes.AsMemory(0, size), 0);
        var last = first;
        for (var start = size; start < bytes.Length; start += size)
        {
            last = last.Append(bytes.AsMemory(start, Math.Min(size, bytes.Length - start)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
