using System.Globalization;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>What a deadband needs to know of a property: whether it is a number, and its declared range (NaN: unbounded).</summary>
internal readonly record struct DeadbandTarget(bool Numeric, double Minimum, double Maximum)
{
    /// <summary>The same, read off a property's description (a relay's viewers' deadbands, from its source's schema).</summary>
    public static DeadbandTarget Of(PropertyDescription property) =>
        new(property.Type?.Type is V1.ValueType.Int or V1.ValueType.Double, Bound(property.Minimum), Bound(property.Maximum));

    private static double Bound(Value? bound) => bound?.KindCase switch
    {
        Value.KindOneofCase.IntValue => bound.IntValue,
        Value.KindOneofCase.DoubleValue => bound.DoubleValue,
        _ => double.NaN,
    };
}

/// <summary>
/// One viewer's deadbands (OPC UA's absolute and percent deadbands, EPICS's MDEL, Tango's abs_change
/// and rel_change): a numeric value is delivered when it moved by at least its band since the value
/// last delivered to this viewer, or its quality changed; a value that moved less is held back (the
/// version still advances, and the next notification delivered carries the version it is then).
/// Crossing into or out of NaN, null or an infinity is always delivered; so is a sign change under a
/// percent-of-value band, whose band is measured on a magnitude that says nothing across zero. Used
/// on the host's change path only (under its change lock).
/// </summary>
internal sealed class DeadbandFilter
{
    private readonly Dictionary<string, Band> _bands;
    private readonly Dictionary<string, (Value Value, Quality Quality)> _delivered = new(StringComparer.Ordinal);

    private DeadbandFilter(Dictionary<string, Band> bands) => _bands = bands;

    private enum BandKind
    {
        Absolute,
        PercentOfValue,
    }

    /// <summary>
    /// The filter for <paramref name="requested"/> over the <paramref name="subscribed"/> properties
    /// (described by <paramref name="properties"/>), or null when no band applies to any of them.
    /// </summary>
    /// <exception cref="ModelException">NOT_FOUND (unknown property), INVALID_ARGUMENT (not a number, a band that is negative, not finite or unset, a second band for one property, a percent of a range that is not declared).</exception>
    public static DeadbandFilter? Create(IEnumerable<Deadband> requested, IReadOnlyDictionary<string, DeadbandTarget> properties, IEnumerable<string> subscribed)
    {
        Deadband? all = null;
        var own = new Dictionary<string, Deadband>(StringComparer.Ordinal);
        foreach (var deadband in requested)
        {
            var what = deadband.Property.Length == 0 ? "the deadband for all properties" : $"the deadband of '{deadband.Property}'";
            var size = deadband.BandCase switch
            {
                Deadband.BandOneofCase.Absolute => deadband.Absolute,
                Deadband.BandOneofCase.PercentOfValue => deadband.PercentOfValue,
                Deadband.BandOneofCase.PercentOfRange => deadband.PercentOfRange,
                _ => throw Invalid($"{what} sets no band: give absolute, percent_of_value or percent_of_range"),
            };
            if (!double.IsFinite(size) || size < 0)
            {
                throw Invalid($"{what} must be 0 or positive, not {size.ToString(CultureInfo.InvariantCulture)}");
            }

            if (deadband.Property.Length == 0)
            {
                all = all is null ? deadband : throw Invalid("two deadbands for all properties: give at most one");
                continue;
            }

            if (!properties.TryGetValue(deadband.Property, out var target))
            {
                throw new ModelException(ModelErrorReason.NotFound, $"{what}: no such property; it has: {string.Join(", ", properties.Keys)}");
            }

            if (!target.Numeric)
            {
                throw Invalid($"{what}: '{deadband.Property}' is not a number");
            }

            if (!own.TryAdd(deadband.Property, deadband))
            {
                throw Invalid($"two deadbands for '{deadband.Property}': give at most one each");
            }
        }

        var bands = new Dictionary<string, Band>(StringComparer.Ordinal);
        foreach (var name in subscribed)
        {
            var target = properties[name];
            if (target.Numeric && (own.GetValueOrDefault(name) ?? all) is { } deadband)
            {
                bands[name] = Resolve(deadband, name, target);
            }
        }

        return bands.Count == 0 ? null : new DeadbandFilter(bands);
    }

    /// <summary>A snapshot (or resync) went to the viewer: every value in it is the last delivered.</summary>
    public void Seed(Notification snapshot)
    {
        foreach (var (name, value) in snapshot.Values)
        {
            if (_bands.ContainsKey(name))
            {
                _delivered[name] = (value, snapshot.QualityOf(name));
            }
        }
    }

    /// <summary>
    /// <paramref name="change"/> as this viewer gets it: itself when every value in it is delivered,
    /// a copy without the values held back, or null when all were held back (and no lifecycle state came with them).
    /// </summary>
    public Notification? Apply(Notification change)
    {
        List<string>? held = null;
        foreach (var (name, value) in change.Values)
        {
            if (!_bands.TryGetValue(name, out var band))
            {
                continue;
            }

            var quality = change.QualityOf(name);
            if (_delivered.TryGetValue(name, out var last) && !band.Passes(last.Value, value, last.Quality, quality))
            {
                (held ??= []).Add(name);
                continue;
            }

            _delivered[name] = (value, quality);
        }

        if (held is null)
        {
            return change;
        }

        if (held.Count == change.Values.Count && change.State == LifecycleState.Unspecified)
        {
            return null;
        }

        var kept = change.Clone();
        foreach (var name in held)
        {
            kept.Values.Remove(name);
            kept.States.Remove(name);
        }

        return kept;
    }

    private static Band Resolve(Deadband deadband, string name, DeadbandTarget target)
    {
        switch (deadband.BandCase)
        {
            case Deadband.BandOneofCase.Absolute:
                return new Band(BandKind.Absolute, deadband.Absolute);
            case Deadband.BandOneofCase.PercentOfValue:
                return new Band(BandKind.PercentOfValue, deadband.PercentOfValue / 100);
            default:
                if (double.IsNaN(target.Minimum) || double.IsNaN(target.Maximum))
                {
                    var whose = deadband.Property.Length == 0 ? $"the deadband for all properties applies to '{name}', which" : $"'{name}'";
                    throw Invalid($"a percent-of-range deadband needs a declared minimum and maximum: {whose} has none");
                }

                return new Band(BandKind.Absolute, deadband.PercentOfRange / 100 * (target.Maximum - target.Minimum));
        }
    }

    private static ModelException Invalid(string message) => new(ModelErrorReason.InvalidArgument, message);

    /// <summary>A band resolved to absolute units, or a fraction of the last value's magnitude.</summary>
    private readonly record struct Band(BandKind Kind, double Size)
    {
        public bool Passes(Value last, Value next, Quality lastQuality, Quality nextQuality)
        {
            if (lastQuality != nextQuality || Size == 0)
            {
                return true;
            }

            if (Number(last) is not { } before || Number(next) is not { } after)
            {
                return !last.Equals(next);
            }

            if (before.Equals(after))
            {
                // Unchanged (NaN to NaN, the same infinity, a value that came back).
                return false;
            }

            if (!double.IsFinite(before) || !double.IsFinite(after))
            {
                return true;
            }

            if (Kind == BandKind.PercentOfValue && Math.Sign(before) * Math.Sign(after) < 0)
            {
                return true;
            }

            var band = Kind == BandKind.Absolute ? Size : Size * Math.Abs(before);
            return Math.Abs(after - before) >= band;
        }

        private static double? Number(Value value) => value.KindCase switch
        {
            Value.KindOneofCase.DoubleValue => value.DoubleValue,
            Value.KindOneofCase.IntValue => value.IntValue,
            _ => null,
        };
    }
}
