using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using RemoteModel.Models.V1;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;

namespace RemoteModel.Security.Tests;

/// <summary>The worked example of docs/security.md, byte for byte: what every other implementation is checked against.</summary>
public sealed class WorkedExampleTests
{
    private const string Nonce = "000102030405060708090a0b0c0d0e0f";
    private static readonly AccessKey Example = new("example", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), KeyScopes.Admin);

    [Fact]
    public void The_example_request_serializes_to_the_documented_bytes()
    {
        var request = new ModifyRequest { Model = "ticker", Values = { ["Rate"] = new Value { DoubleValue = 5.0 } } };
        Assert.Equal("0a067469636b657212110a04526174651209190000000000001440", Convert.ToHexStringLower(request.ToByteArray()));
    }

    [Fact]
    public void The_request_signature_matches_the_document()
    {
        var message = Convert.FromHexString("0a067469636b657212110a04526174651209190000000000001440");
        var signature = HmacCallSigner.Sign(Example, "/remotemodel.v1.Model/Modify", "1795000000000", Nonce, new ReadOnlySequence<byte>(message));
        Assert.Equal("3524894f517fcc1dc315b65c2239c30d47cd9083faa5c47fd7feccc284393d22", signature);
    }

    [Fact]
    public void The_response_seal_and_status_seal_match_the_document()
    {
        var response = Convert.FromHexString("082b12110a04526174651209190000000000001440");
        var sealer = new HmacResponseSealer(Example, Nonce);
        var seal = new byte[sealer.SealLength];
        sealer.SealMessage(response, seal);
        Assert.Equal(
            "082b12110a04526174651209190000000000001440fa7f207e3dc08bef12dcb5fda0cc5b90b3ad473f764179274aa4769b5721cfc00e7d1f",
            Convert.ToHexStringLower([.. response, .. seal]));

        var trailers = new Metadata();
        sealer.SealEnd(Status.DefaultSuccess, trailers);
        Assert.Equal("1a583a9122ce637c422f2f29068c4fe5bdcacf4fa25ea69f7e61470fe51304f6", trailers.GetValue("remotemodel-status-seal"));
    }

    [Fact]
    public void A_sealed_response_still_parses_as_its_message_for_a_client_that_does_not_check()
    {
        var sealedBytes = Convert.FromHexString(
            "082b12110a04526174651209190000000000001440fa7f207e3dc08bef12dcb5fda0cc5b90b3ad473f764179274aa4769b5721cfc00e7d1f");
        var parsed = ModifyResponse.Parser.ParseFrom(sealedBytes);
        Assert.Equal(43, parsed.Version);
        Assert.Equal(5.0, parsed.Applied["Rate"].DoubleValue);
    }
}
