using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Tests;

/// <summary>One viewer's deadbands over the changes of the host.</summary>
public sealed class DeadbandFilterTests
{
    private static readonly Dictionary<string, DeadbandTarget> Properties = new(StringComparer.Ordinal)
    {
        ["Position"] = new(true, 0, 200),
        ["Speed"] = new(true, double.NaN, double.NaN),
        ["Count"] = new(true, double.NaN, double.NaN),
        ["Label"] = new(false, double.NaN, double.NaN),
    };

    private static long _version;

    private static DeadbandFilter Filter(params Deadband[] bands) =>
        DeadbandFilter.Create(bands, Properties, Properties.Keys) ?? throw new InvalidOperationException("no band applies");

    private static Notification Change(string name, Value value, Quality quality = Quality.Valid) => new()
    {
        Kind = Notification.Types.Kind.Change,
        Version = ++_version,
        Values = { [name] = value },
        States = { [name] = new ValueState { Quality = quality } },
    };

    private static Value D(double d) => new() { DoubleValue = d };

    private static bool Delivers(DeadbandFilter filter, string name, Value value, Quality quality = Quality.Valid) =>
        filter.Apply(Change(name, value, quality)) is not null;

    private static DeadbandFilter Seeded(DeadbandFilter filter, string name, Value value)
    {
        filter.Seed(new Notification { Kind = Notification.Types.Kind.Snapshot, Values = { [name] = value }, States = { [name] = new ValueState { Quality = Quality.Valid } } });
        return filter;
    }

    [Fact]
    public void An_absolute_band_holds_back_smaller_moves_since_the_last_value_delivered_and_delivers_exactly_the_threshold()
    {
        var filter = Seeded(Filter(new Deadband { Property = "Speed", Absolute = 0.5 }), "Speed", D(10));

        Assert.False(Delivers(filter, "Speed", D(10.25)));
        Assert.False(Delivers(filter, "Speed", D(10.375)));
        // Measured from the last value delivered (10), not the last change (10.375).
        Assert.True(Delivers(filter, "Speed", D(10.5)));
        Assert.False(Delivers(filter, "Speed", D(10.75)));
        Assert.True(Delivers(filter, "Speed", D(9.5)));
    }

    [Fact]
    public void A_sign_change_is_a_move_like_any_other_under_an_absolute_band_and_always_delivered_under_a_percent_of_value_band()
    {
        var absolute = Seeded(Filter(new Deadband { Property = "Speed", Absolute = 1 }), "Speed", D(0.25));
        Assert.False(Delivers(absolute, "Speed", D(-0.25)));
        Assert.True(Delivers(absolute, "Speed", D(-0.75)));

        var relative = Seeded(Filter(new Deadband { Property = "Speed", PercentOfValue = 1000 }), "Speed", D(0.25));
        Assert.True(Delivers(relative, "Speed", D(-0.25)));
    }

    [Fact]
    public void A_percent_of_value_band_scales_with_the_value_and_near_zero_passes_every_move()
    {
        var filter = Seeded(Filter(new Deadband { Property = "Speed", PercentOfValue = 10 }), "Speed", D(200));
        Assert.False(Delivers(filter, "Speed", D(219)));
        Assert.True(Delivers(filter, "Speed", D(220)));
        Assert.False(Delivers(filter, "Speed", D(199)));

        var nearZero = Seeded(Filter(new Deadband { Property = "Speed", PercentOfValue = 10 }), "Speed", D(0));
        Assert.True(Delivers(nearZero, "Speed", D(1e-9)));
        Assert.False(Delivers(nearZero, "Speed", D(1.05e-9)));
        Assert.True(Delivers(nearZero, "Speed", D(1.2e-9)));
    }

    [Fact]
    public void A_percent_of_range_band_is_that_share_of_the_declared_range_and_refused_without_one()
    {
        var filter = Seeded(Filter(new Deadband { Property = "Position", PercentOfRange = 1 }), "Position", D(100));
        Assert.False(Delivers(filter, "Position", D(101.5)));
        Assert.True(Delivers(filter, "Position", D(102)));

        var refused = Assert.Throws<ModelException>(() => Filter(new Deadband { Property = "Speed", PercentOfRange = 1 }));
        Assert.Equal(ModelErrorReason.InvalidArgument, refused.Reason);
        Assert.Contains("'Speed'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NaN_infinities_and_null_are_delivered_when_they_come_and_go_but_not_repeated()
    {
        var filter = Seeded(Filter(new Deadband { Property = "Speed", Absolute = 1000 }), "Speed", D(1));

        Assert.True(Delivers(filter, "Speed", D(double.NaN)));
        Assert.False(Delivers(filter, "Speed", D(double.NaN)));
        Assert.True(Delivers(filter, "Speed", D(1)));
        Assert.True(Delivers(filter, "Speed", D(double.PositiveInfinity)));
        Assert.False(Delivers(filter, "Speed", D(double.PositiveInfinity)));
        Assert.True(Delivers(filter, "Speed", D(double.NegativeInfinity)));
        Assert.True(Delivers(filter, "Speed", new Value()));
        Assert.False(Delivers(filter, "Speed", new Value()));
        Assert.True(Delivers(filter, "Speed", D(2)));
    }

    [Fact]
    public void A_quality_change_inside_the_band_is_always_delivered()
    {
        var filter = Seeded(Filter(new Deadband { Property = "Speed", Absolute = 10 }), "Speed", D(100));

        Assert.True(Delivers(filter, "Speed", D(101), Quality.Warning));
        Assert.False(Delivers(filter, "Speed", D(102), Quality.Warning));
        Assert.True(Delivers(filter, "Speed", D(102), Quality.Invalid));
        Assert.True(Delivers(filter, "Speed", D(102), Quality.Valid));
    }

    [Fact]
    public void A_band_for_all_covers_every_numeric_property_without_its_own_and_values_held_back_leave_the_rest_of_the_change()
    {
        var filter = Filter(new Deadband { Absolute = 5 }, new Deadband { Property = "Count", Absolute = 0 });
        filter.Seed(new Notification
        {
            Kind = Notification.Types.Kind.Snapshot,
            Values = { ["Position"] = D(0), ["Speed"] = D(0), ["Count"] = new Value { IntValue = 0 }, ["Label"] = new Value { StringValue = "a" } },
            States = { ["Position"] = new ValueState { Quality = Quality.Valid }, ["Speed"] = new ValueState { Quality = Quality.Valid } },
        });
        var change = new Notification
        {
            Kind = Notification.Types.Kind.Change, Version = 7,
            Values = { ["Position"] = D(1), ["Speed"] = D(6), ["Count"] = new Value { IntValue = 1 }, ["Label"] = new Value { StringValue = "b" } },
            States = { ["Position"] = new ValueState { Quality = Quality.Valid }, ["Speed"] = new ValueState { Quality = Quality.Valid } },
        };

        var delivered = filter.Apply(change);

        Assert.NotNull(delivered);
        Assert.NotSame(change, delivered);
        Assert.Equal(["Count", "Label", "Speed"], delivered.Values.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Speed"], delivered.States.Keys);
        Assert.Equal(7, delivered.Version);
        Assert.Equal(4, change.Values.Count);
    }

    [Fact]
    public void A_change_with_nothing_held_back_is_passed_on_as_it_is_and_one_with_everything_held_back_is_dropped_unless_it_carries_a_lifecycle_state()
    {
        var filter = Seeded(Filter(new Deadband { Property = "Speed", Absolute = 5 }), "Speed", D(0));
        var whole = Change("Speed", D(5));
        Assert.Same(whole, filter.Apply(whole));

        Assert.Null(filter.Apply(Change("Speed", D(6))));
        var transition = Change("Speed", D(6));
        transition.State = LifecycleState.Configured;
        Assert.Empty(filter.Apply(transition)!.Values);
    }

    [Fact]
    public void No_filter_when_no_band_applies_to_what_was_subscribed()
    {
        Assert.Null(DeadbandFilter.Create([], Properties, Properties.Keys));
        Assert.Null(DeadbandFilter.Create([new Deadband { Property = "Speed", Absolute = 1 }], Properties, ["Position", "Label"]));
    }

    [Theory]
    [InlineData("Nope", 1, ModelErrorReason.NotFound, "no such property")]
    [InlineData("Label", 1, ModelErrorReason.InvalidArgument, "not a number")]
    [InlineData("Speed", -1, ModelErrorReason.InvalidArgument, "0 or positive")]
    [InlineData("Speed", double.NaN, ModelErrorReason.InvalidArgument, "0 or positive")]
    public void Bad_bands_are_refused_precisely(string property, double band, ModelErrorReason code, string message)
    {
        var refused = Assert.Throws<ModelException>(() => Filter(new Deadband { Property = property, Absolute = band }));

        Assert.Equal(code, refused.Reason);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unset_band_and_two_bands_for_one_property_are_refused()
    {
        Assert.Contains("sets no band", Assert.Throws<ModelException>(() => Filter(new Deadband { Property = "Speed" })).Message, StringComparison.Ordinal);
        Assert.Contains("two deadbands", Assert.Throws<ModelException>(() => Filter(new Deadband { Property = "Speed", Absolute = 1 }, new Deadband { Property = "Speed", PercentOfValue = 1 })).Message, StringComparison.Ordinal);
        Assert.Contains("two deadbands", Assert.Throws<ModelException>(() => Filter(new Deadband { Absolute = 1 }, new Deadband { PercentOfValue = 1 })).Message, StringComparison.Ordinal);
    }
}
