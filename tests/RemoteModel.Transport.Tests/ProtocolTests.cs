using RemoteModel.Transport.Protocol;

namespace RemoteModel.Transport.Tests;

public sealed class ProtocolTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("900n", 9L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void Grpc_timeout_parses_every_unit(string text, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(text, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    public void Grpc_timeout_refuses_malformed_values(string text) => Assert.False(GrpcTimeout.TryParse(text, out _));

    [Theory]
    [InlineData(0.0000005)]
    [InlineData(0.25)]
    [InlineData(30)]
    [InlineData(86_400 * 400)]
    public void Grpc_timeout_formats_within_eight_digits_and_never_shorter(double seconds)
    {
        var timeout = TimeSpan.FromSeconds(seconds);
        var text = GrpcTimeout.Format(timeout);
        Assert.True(text.Length <= 9, text);
        Assert.True(GrpcTimeout.TryParse(text, out var parsed));
        Assert.True(parsed >= timeout, $"{text} is shorter than {timeout}");
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("état ✓", "%C3%A9tat %E2%9C%93")]
    [InlineData("line\nbreak", "line%0Abreak")]
    public void Grpc_message_is_percent_encoded_and_decodes_back(string text, string encoded)
    {
        Assert.Equal(encoded, PercentEncoding.Encode(text));
        Assert.Equal(text, PercentEncoding.Decode(encoded));
    }

    [Fact]
    public void Grpc_message_decoding_keeps_malformed_escapes() =>
        Assert.Equal("50%zz and %4", PercentEncoding.Decode("50%zz and %4"));

    [Fact]
    public void Metadata_refuses_bad_and_reserved_keys_and_checks_binary_suffixes()
    {
        var metadata = new Metadata();
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "x"));
        Assert.Throws<ArgumentException>(() => metadata.Add("grpc-status", "0"));
        Assert.Throws<ArgumentException>(() => metadata.Add("data-bin", "text"));
        Assert.Throws<ArgumentException>(() => metadata.Add("data", new byte[] { 1 }));
        metadata.Add("Mixed-Case", "v").Add("blob-bin", new byte[] { 1, 2 });
        Assert.Equal("v", metadata.GetValue("mixed-case"));
        Assert.Equal(new byte[] { 1, 2 }, metadata.GetBytes("blob-bin"));
    }

    [Theory]
    [InlineData("AAEC/w")]
    [InlineData("AAEC/w==")]
    public void Binary_metadata_accepts_padded_and_unpadded_base64(string value) =>
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, MetadataCodec.DecodeBinary("x-bin", value));

    [Fact]
    public void Binary_metadata_is_sent_unpadded() =>
        Assert.Equal("AAEC/w", MetadataCodec.EncodeBinary([0, 1, 2, 255]));
}
