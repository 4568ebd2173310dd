using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using Type = System.Type;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Tests;

/// <summary>CLR values to the wire and back, lossless, with precise refusals; and their display.</summary>
public sealed class ValueConversionTests
{
    public static TheoryData<object> RoundTrips => new()
    {
        true,
        (sbyte)-5,
        (byte)250,
        (short)-30000,
        (ushort)60000,
        int.MinValue,
        uint.MaxValue,
        long.MaxValue,
        (ulong)long.MaxValue,
        Math.PI,
        1.5f,
        "héllo",
        new byte[] { 0, 255, 7 },
        new DateTime(2026, 3, 4, 5, 6, 7, 891, DateTimeKind.Utc),
        new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero),
        TimeSpan.FromTicks(123456789),
        Mode.Fast,
        new List<int> { 1, 2, 3 },
        new[] { "a", "b" },
        new Dictionary<string, double> { ["x"] = 1.5, ["y"] = -2 },
        new List<List<Mode>> { new() { Mode.Slow }, new() },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Values_survive_the_wire_unchanged(object value)
    {
        var wire = Value.Parser.ParseFrom(ValueCodec.ToValue(value).ToByteArray());
        var back = ValueCodec.FromValue(wire, value.GetType(), false, "value");
        Assert.Equal(value, back);
        Assert.IsType(value.GetType(), back);
    }

    [Fact]
    public void Integers_widen_to_doubles_and_integral_doubles_narrow_to_integers()
    {
        Assert.Equal(3.0, ModelValues.FromValue<double>(new Value { IntValue = 3 }));
        Assert.Equal(3, ModelValues.FromValue<int>(new Value { DoubleValue = 3.0 }));
        Assert.Null(ModelValues.FromValue<int?>(new Value()));
        Assert.Equal(Mode.Slow, ModelValues.FromValue<Mode>(new Value { StringValue = "Slow" }));
    }

    [Theory]
    [InlineData(typeof(int), "x", ModelErrorReason.InvalidArgument, "value: expected INT (Int32), got STRING \"x\"")]
    [InlineData(typeof(int), 2.5, ModelErrorReason.InvalidArgument, "not a whole number")]
    [InlineData(typeof(byte), -1L, ModelErrorReason.OutOfRange, "value: -1 is outside the range of Byte (0..255)")]
    [InlineData(typeof(uint), 5000000000L, ModelErrorReason.OutOfRange, "outside the range of UInt32")]
    [InlineData(typeof(ulong), -1L, ModelErrorReason.OutOfRange, "outside the range of UInt64")]
    [InlineData(typeof(float), 1e300, ModelErrorReason.OutOfRange, "outside the range of Single")]
    [InlineData(typeof(bool), 1L, ModelErrorReason.InvalidArgument, "expected BOOL (Boolean), got INT 1")]
    [InlineData(typeof(string), null, ModelErrorReason.InvalidArgument, "expected STRING (String), got no value")]
    [InlineData(typeof(Mode), "Medium", ModelErrorReason.InvalidArgument, "'Medium' is not a member of Mode (Slow, Fast)")]
    public void A_value_that_does_not_fit_is_refused_precisely(Type target, object? sent, ModelErrorReason code, string message)
    {
        var error = Assert.Throws<ModelException>(() => ValueCodec.FromValue(ValueCodec.ToValue(sent), target, false, "value"));
        Assert.Equal(code, error.Reason);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_ulong_above_the_wire_range_and_an_unsupported_type_are_refused()
    {
        Assert.Equal(StatusCode.OutOfRange, Assert.Throws<RpcException>(() => ModelValues.ToValue(ulong.MaxValue)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, Assert.Throws<RpcException>(() => ModelValues.ToValue(new object())).StatusCode);
        Assert.NotNull(ValueCodec.Unsupported(typeof(decimal)));
        Assert.Null(ValueCodec.Unsupported(typeof(IReadOnlyDictionary<string, List<int?>>)));
    }

    [Fact]
    public void Values_render_as_readable_json()
    {
        var values = new Dictionary<string, Value>
        {
            ["b"] = ModelValues.ToValue(new object?[] { 1, 2.5, "x\"y", null, true }),
            ["a"] = ModelValues.ToValue(Mode.Fast),
            ["c"] = new Value { BytesValue = ByteString.CopyFrom(10, 11) },
            ["d"] = new Value { TimestampValue = Timestamp.FromDateTime(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)) },
            ["e"] = ModelValues.ToValue(TimeSpan.FromMilliseconds(1500)),
            ["f"] = ModelValues.ToValue(new Dictionary<string, int> { ["z"] = 1 }),
        };
        Assert.Equal("{\"a\": \"Fast\", \"b\": [1, 2.5, \"x\\\"y\", null, true], \"c\": \"0x0a0b\", \"d\": \"2026-01-02T03:04:05Z\", \"e\": \"1.5s\", \"f\": {\"z\": 1}}",
            values.ToDisplayString());
    }
}
