using Bunit;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.V1;
using RemoteModel.Web.Components.Parts;
using RemoteModel.Web.Inputs;
using Value = RemoteModel.Models.V1.Value;
using ValueType = RemoteModel.Models.V1.ValueType;

namespace RemoteModel.Web.Tests.Components;

/// <summary>The input generated for each value type: the element it is, what it starts with, and the value an edit hands on.</summary>
public sealed class ValueInputTests : BunitContext
{
    private ValueEdit? _edit;

    [Fact]
    public void A_bool_is_a_switch()
    {
        var input = Render(new TypeInfo { Type = ValueType.Bool }, new Value { BoolValue = false });
        var box = input.Find("input[type=checkbox][role=switch]");
        Assert.False(box.HasAttribute("checked"));

        box.Change(true);

        Assert.Equal(new Value { BoolValue = true }, _edit!.Value);
    }

    [Fact]
    public void A_double_is_a_number_field_with_its_range_and_unit()
    {
        var input = Render(new TypeInfo { Type = ValueType.Double }, new Value { DoubleValue = 1.5 }, "Hz", new Value { DoubleValue = 0.1 }, new Value { DoubleValue = 100 });
        var field = input.Find("input[type=number]");
        Assert.Equal("1.5", field.GetAttribute("value"));
        Assert.Equal("0.1", field.GetAttribute("min"));
        Assert.Equal("100", field.GetAttribute("max"));
        Assert.Equal("any", field.GetAttribute("step"));
        Assert.Contains("Hz", input.Find(".unit").TextContent, StringComparison.Ordinal);
        Assert.Equal("0.1..100", input.Find(".range").TextContent);

        field.Input("2.25");

        Assert.Equal(new Value { DoubleValue = 2.25 }, _edit!.Value);
    }

    [Fact]
    public void An_int_is_a_whole_number_field_and_a_fraction_is_said_to_be_no_value()
    {
        var input = Render(new TypeInfo { Type = ValueType.Int }, new Value { IntValue = 3 });
        var field = input.Find("input[type=number]");
        Assert.Equal("1", field.GetAttribute("step"));

        field.Input("42");
        Assert.Equal(new Value { IntValue = 42 }, _edit!.Value);

        field.Input("4.5");
        Assert.Null(_edit!.Value);
        Assert.Contains("not a whole number", _edit.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_enum_is_a_select_of_its_members()
    {
        var type = new TypeInfo { Type = ValueType.Enum, EnumMembers = { "Slow", "Fast" } };
        var input = Render(type, new Value { EnumValue = "Fast" });
        var options = input.FindAll("select option");
        Assert.Equal(["Slow", "Fast"], options.Select(o => o.TextContent));
        Assert.True(options[1].HasAttribute("selected"));

        input.Find("select").Change("Slow");

        Assert.Equal(new Value { EnumValue = "Slow" }, _edit!.Value);
    }

    [Fact]
    public void A_string_is_a_text_field()
    {
        var input = Render(new TypeInfo { Type = ValueType.String }, new Value { StringValue = "RMDL" });
        var field = input.Find("input[type=text]");
        Assert.Equal("RMDL", field.GetAttribute("value"));

        field.Input("ACME");

        Assert.Equal(new Value { StringValue = "ACME" }, _edit!.Value);
    }

    [Fact]
    public void A_timestamp_is_a_utc_date_time_field()
    {
        var time = new DateTimeOffset(2026, 12, 7, 5, 30, 0, TimeSpan.Zero);
        var input = Render(new TypeInfo { Type = ValueType.Timestamp }, new Value { TimestampValue = Timestamp.FromDateTimeOffset(time) });
        var field = input.Find("input[type=datetime-local]");
        Assert.Equal("2026-12-07T05:30:00.000", field.GetAttribute("value"));
        Assert.Equal("UTC", input.Find(".unit").TextContent);

        field.Input("2026-12-08T06:00");

        Assert.Equal(Timestamp.FromDateTimeOffset(time.AddDays(1).AddMinutes(30)), _edit!.Value!.TimestampValue);
    }

    [Theory]
    [InlineData("1.5s", 1500)]
    [InlineData("250ms", 250)]
    [InlineData("2m", 120_000)]
    [InlineData("00:01:30", 90_000)]
    public void A_duration_is_a_text_field_reading_units(string text, int milliseconds)
    {
        var input = Render(new TypeInfo { Type = ValueType.Duration }, new Value { DurationValue = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) });
        var field = input.Find("input[type=text]");
        Assert.Equal("2s", field.GetAttribute("value"));

        field.Input(text);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), _edit!.Value!.DurationValue.ToTimeSpan());
    }

    [Fact]
    public void Bytes_are_hex_or_base64()
    {
        var input = Render(new TypeInfo { Type = ValueType.Bytes }, new Value { BytesValue = ByteString.CopyFrom(1, 2) });
        var field = input.Find("input[type=text]");
        Assert.Equal("0x0102", field.GetAttribute("value"));

        field.Input("0x0a0b");
        Assert.Equal(ByteString.CopyFrom(10, 11), _edit!.Value!.BytesValue);

        field.Input("AQI=");
        Assert.Equal(ByteString.CopyFrom(1, 2), _edit!.Value!.BytesValue);
    }

    [Fact]
    public void A_list_is_json_with_items_of_its_type()
    {
        var type = new TypeInfo { Type = ValueType.List, Element = new TypeInfo { Type = ValueType.Double } };
        var input = Render(type, new Value { ListValue = new ValueList { Items = { new Value { DoubleValue = 1 } } } });
        var area = input.Find("textarea.json");
        Assert.Equal("[1]", area.TextContent);

        area.Input("[1.5, 2]");
        Assert.Equal([1.5, 2.0], _edit!.Value!.ListValue.Items.Select(i => i.DoubleValue));

        area.Input("[\"x\"]");
        Assert.Null(_edit!.Value);
        Assert.Contains("\"x\" is not a double", _edit.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_map_is_json_with_values_of_its_type()
    {
        var type = new TypeInfo { Type = ValueType.Map, Element = new TypeInfo { Type = ValueType.Int } };
        var input = Render(type, null);

        input.Find("textarea.json").Input("{\"a\": 1, \"b\": 2}");

        Assert.Equal(2, _edit!.Value!.MapValue.Entries["b"].IntValue);
        Assert.Equal(1, _edit.Value.MapValue.Entries["a"].IntValue);
    }

    [Fact]
    public void A_nullable_field_left_empty_is_no_value()
    {
        var input = Render(new TypeInfo { Type = ValueType.Double, Nullable = true }, new Value { DoubleValue = 1 });

        input.Find("input[type=number]").Input(string.Empty);

        Assert.Equal(Value.KindOneofCase.None, _edit!.Value!.KindCase);
    }

    private IRenderedComponent<ValueInput> Render(TypeInfo type, Value? initial, string unit = "", Value? minimum = null, Value? maximum = null) =>
        Render<ValueInput>(parameters => parameters
            .Add(p => p.Id, "edit-x")
            .Add(p => p.Name, "x")
            .Add(p => p.Type, type)
            .Add(p => p.Initial, initial)
            .Add(p => p.Unit, unit)
            .Add(p => p.Minimum, minimum)
            .Add(p => p.Maximum, maximum)
            .Add(p => p.OnEdit, (ValueEdit edit) => _edit = edit));
}
