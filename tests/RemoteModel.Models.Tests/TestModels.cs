using System.ComponentModel;
using System.Runtime.CompilerServices;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Tests;

public enum Mode
{
    Slow,
    Fast,
}

/// <summary>A motion stage: typed properties with units and ranges, a derived read-only property, operations.</summary>
[Model(Description = "A linear stage")]
public sealed class Stage : INotifyPropertyChanged
{
    private double _position;
    private int _speed = 5;
    private string _label = "stage";
    private int _zeta;
    private double _temperature = 20;

    public event PropertyChangedEventHandler? PropertyChanged;

    [ModelProperty(Unit = "mm", Description = "Where the carriage is", Minimum = 0, Maximum = 100)]
    public double Position
    {
        get => _position;
        set
        {
            _position = value;
            Raise();
            Raise(nameof(AtHome));
        }
    }

    public bool AtHome => _position == 0;

    [ModelProperty(Minimum = 1, Maximum = 10)]
    public int Speed
    {
        get => _speed;
        set => Set(ref _speed, value);
    }

    public string Label
    {
        get => _label;
        set => Set(ref _label, value);
    }

    public Mode Mode { get; set; }

    public byte Gain { get; set; }

    public List<double> Waypoints { get; set; } = [];

    public Dictionary<string, int> Counters { get; set; } = [];

    public TimeSpan Dwell { get; set; }

    public DateTimeOffset? LastMoved { get; private set; }

    public byte[] Blob { get; set; } = [];

    public string? Payload { get; set; }

    public int Moves { get; private set; }

    [ModelProperty(Unit = "degC")]
    public double Temperature => _temperature;

    /// <summary>Refuses negatives in its setter: sorts last, so a modify fails after others were set.</summary>
    public int Zeta
    {
        get => _zeta;
        set
        {
            if (value < 0)
            {
                throw new InvalidOperationException("zeta cannot go negative");
            }

            Set(ref _zeta, value);
        }
    }

    [ModelIgnore]
    public object? Hidden { get; set; }

    [Operation(Description = "Move to a position")]
    public double MoveTo([ModelProperty(Unit = "mm", Minimum = 0, Maximum = 100)] double target, int speed = 5)
    {
        var distance = Math.Abs(target - _position);
        Speed = speed;
        Position = target;
        Moves++;
        LastMoved = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Raise(nameof(Moves));
        Raise(nameof(LastMoved));
        return distance;
    }

    [Operation]
    public void Fail(string kind) => throw (kind switch
    {
        "argument" => new ArgumentException("bad kind of argument"),
        "state" => new InvalidOperationException("not now"),
        _ => (Exception)new IOException("the cable is loose"),
    });

    [Operation]
    public string Echo(string? text = null, Mode mode = Mode.Fast) => $"{text ?? "nothing"}/{mode}";

    /// <summary>The model changing by itself (a sensor reading), not through the host.</summary>
    public void SetTemperature(double value)
    {
        _temperature = value;
        Raise(nameof(Temperature));
    }

    /// <summary>The model changing two properties by itself, told as one change.</summary>
    public void Recalibrate(double temperature, string label)
    {
        (_temperature, _label) = (temperature, label);
        PropertyChanged?.Invoke(this, new PropertiesChangedEventArgs(nameof(Temperature), nameof(Label), "NotAProperty"));
    }

    private void Set<T>(ref T field, T value, [CallerMemberName] string? name = null)
    {
        field = value;
        Raise(name);
    }

    private void Raise([CallerMemberName] string? name = null) => PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
}

public sealed class OvenConfiguration
{
    [ModelProperty(Unit = "degC", Minimum = 0, Maximum = 300, Description = "Target temperature")]
    public double Setpoint { get; set; } = 100;

    public int Zones { get; set; } = 2;
}

/// <summary>A model with the lab lifecycle and a periodic stream.</summary>
[PeriodicStream("temps", nameof(Temperature), nameof(Setpoint), MaxRateHz = 50)]
public sealed class Oven : INotifyPropertyChanged, IModelLifecycle<OvenConfiguration>
{
    public event PropertyChangedEventHandler? PropertyChanged;

    public double Temperature { get; private set; } = 20;

    public double Setpoint { get; private set; }

    public int Zones { get; private set; }

    public bool FailNextInit { get; set; }

    public void Init()
    {
        if (FailNextInit)
        {
            throw new IOException("heater not found");
        }
    }

    public void Configure(OvenConfiguration configuration)
    {
        Setpoint = configuration.Setpoint;
        Zones = configuration.Zones;
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Setpoint)));
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Zones)));
    }

    public void Invalidate()
    {
        Setpoint = 0;
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Setpoint)));
    }

    public void Deinit()
    {
    }

    [Operation(Description = "Start heating", AllowedIn = [ModelLifecycleState.Configured])]
    public void Start()
    {
    }

    public void Heat(double temperature)
    {
        Temperature = temperature;
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Temperature)));
    }
}
