using System.ComponentModel;
using System.Runtime.CompilerServices;
using RemoteModel.Models;

namespace RemoteModel.Examples.Ticker;

/// <summary>
/// A stock-quote style ticker: its price takes a small random step at <see cref="Rate"/> ticks a
/// second until it is paused. Plain C#: properties and <see cref="INotifyPropertyChanged"/>, with
/// attributes (from RemoteModel.Authoring alone) for units, ranges and operations.
/// </summary>
[Model(Description = "A stock-quote style ticker: a price that moves by itself at a set rate.")]
public sealed class TickerModel : INotifyPropertyChanged, IDisposable
{
    /// <summary>The price <see cref="Reset"/> returns to.</summary>
    public const double OpeningPrice = 100.0;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ITimer _timer;
    private string _symbol = "RMDL";
    private double _price = OpeningPrice;
    private double _change;
    private long _ticks;
    private double _rate = 1.0;
    private bool _paused;

    /// <summary>A ticker on the system clock.</summary>
    public TickerModel()
        : this(TimeProvider.System)
    {
    }

    /// <summary>A ticker timed by <paramref name="timeProvider"/>; <paramref name="seed"/> makes its walk repeatable.</summary>
    public TickerModel(TimeProvider timeProvider, int? seed = null)
    {
        _time = timeProvider;
        _random = seed is { } s ? new Random(s) : new Random();
        _timer = _time.CreateTimer(_ => Tick(), null, Period, Period);
    }

    /// <inheritdoc />
    public event PropertyChangedEventHandler? PropertyChanged;

    /// <summary>The quoted symbol.</summary>
    [ModelProperty(Description = "The quoted symbol")]
    public string Symbol
    {
        get => _symbol;
        set => Set(ref _symbol, string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("A symbol cannot be empty.", nameof(value)) : value.Trim());
    }

    /// <summary>The last price; a move of 10% from the opening price is a warning, of 20% an alarm.</summary>
    [ModelProperty(Unit = "USD", Description = "The last price", LowAlarm = 80, LowWarning = 90, HighWarning = 110, HighAlarm = 120)]
    public double Price => _price;

    /// <summary>The last tick's change of price.</summary>
    [ModelProperty(Unit = "USD", Description = "The last tick's change of price")]
    public double Change => _change;

    /// <summary>How many ticks since the start or the last reset.</summary>
    [ModelProperty(Description = "Ticks since the start or the last reset")]
    public long Ticks => _ticks;

    /// <summary>Ticks a second.</summary>
    [ModelProperty(Unit = "Hz", Description = "Ticks a second", Minimum = 0.1, Maximum = 100)]
    public double Rate
    {
        get => _rate;
        set
        {
            if (Set(ref _rate, value))
            {
                _timer.Change(Period, Period);
            }
        }
    }

    /// <summary>Whether ticking is paused.</summary>
    [ModelProperty(Description = "Whether ticking is paused (see Pause and Resume)")]
    public bool Paused => _paused;

    private TimeSpan Period => TimeSpan.FromSeconds(1 / _rate);

    /// <summary>Back to the opening price and no ticks.</summary>
    [Operation(Description = "Back to the opening price and zero ticks")]
    public void Reset() => Quote(OpeningPrice, 0.0, 0);

    /// <summary>Stops ticking.</summary>
    [Operation(Description = "Stop ticking")]
    public void Pause() => Set(ref _paused, true, nameof(Paused));

    /// <summary>Starts ticking again.</summary>
    [Operation(Description = "Start ticking again")]
    public void Resume() => Set(ref _paused, false, nameof(Paused));

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        lock (_gate)
        {
            if (_paused)
            {
                return;
            }

            // A random walk in cents, at most one percent a tick.
            var step = Math.Round(_price * 0.01 * (_random.NextDouble() * 2 - 1), 2);
            Quote(Math.Max(0.01, Math.Round(_price + step, 2)), step, _ticks + 1);
        }
    }

    /// <summary>A new quote: price, change and tick count change together, as one change.</summary>
    private void Quote(double price, double change, long ticks)
    {
        (_price, _change, _ticks) = (price, change, ticks);
        PropertyChanged?.Invoke(this, new PropertiesChangedEventArgs(nameof(Price), nameof(Change), nameof(Ticks)));
    }

    private bool Set<T>(ref T field, T value, [CallerMemberName] string name = "")
    {
        if (EqualityComparer<T>.Default.Equals(field, value))
        {
            return false;
        }

        field = value;
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
        return true;
    }
}
