using System.ComponentModel;

namespace RemoteModel.Models.Tests;

/// <summary>A model with alarm limits, a bounded position, and a sensor that can lose its link.</summary>
public sealed class Furnace : INotifyPropertyChanged
{
    private double _temperature = 50;
    private double _position;
    private string _door = "shut";

    public event PropertyChangedEventHandler? PropertyChanged;

    [ModelProperty(Unit = "degC", Minimum = -50, Maximum = 350, LowAlarm = 10, LowWarning = 20, HighWarning = 100, HighAlarm = 120)]
    public double Temperature
    {
        get => _temperature;
        set
        {
            _temperature = value;
            PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Temperature)));
        }
    }

    [ModelProperty(Unit = "mm", Minimum = -200, Maximum = 200)]
    public double Position
    {
        get => _position;
        set
        {
            _position = value;
            PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Position)));
        }
    }

    public string Door
    {
        get => _door;
        set
        {
            _door = value;
            PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Door)));
        }
    }

    /// <summary>The driver read <paramref name="value"/> from the hardware at <paramref name="readAt"/>.</summary>
    public void Read(double value, DateTimeOffset readAt)
    {
        _temperature = value;
        PropertyChanged?.Invoke(this, new PropertyStateChangedEventArgs(nameof(Temperature)) { SourceTime = readAt });
    }

    /// <summary>The sensor's link is lost: its last number is not to be trusted.</summary>
    public void LoseSensor(DateTimeOffset at) =>
        PropertyChanged?.Invoke(this, new PropertyStateChangedEventArgs(nameof(Temperature)) { Quality = ReportedQuality.Invalid, Reason = "sensor link lost", SourceTime = at });

    /// <summary>The link is back: the limits say again.</summary>
    public void RestoreSensor() => PropertyChanged?.Invoke(this, new PropertyStateChangedEventArgs(nameof(Temperature)));
}
