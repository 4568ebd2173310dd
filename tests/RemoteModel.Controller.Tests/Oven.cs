using System.ComponentModel;
using System.Runtime.CompilerServices;
using RemoteModel.Models;

namespace RemoteModel.Controller.Tests;

/// <summary>A test instrument: a ranged property with a unit, a read-only count, a list, operations with and without parameters and results.</summary>
[Model(Description = "A test oven")]
public sealed class Oven : INotifyPropertyChanged
{
    private double _setpoint = 20;
    private string _label = "oven";
    private long _cycles;

    public event PropertyChangedEventHandler? PropertyChanged;

    [ModelProperty(Unit = "C", Minimum = 0, Maximum = 300, Description = "Where the oven is heading")]
    public double Setpoint
    {
        get => _setpoint;
        set => Set(ref _setpoint, value);
    }

    public string Label
    {
        get => _label;
        set => Set(ref _label, value);
    }

    public long Cycles => _cycles;

    public List<double> Profile { get; set; } = [];

    /// <summary>Heads for <paramref name="target"/>; returns how far that is from where it was.</summary>
    [Operation(Description = "Ramp to a temperature")]
    public double Ramp([ModelProperty(Unit = "C", Minimum = 0, Maximum = 300)] double target, int minutes = 5)
    {
        var distance = target - _setpoint;
        Setpoint = target;
        _cycles += minutes;
        Raise(nameof(Cycles));
        return distance;
    }

    [Operation(Description = "Back to the start")]
    public void Clear()
    {
        Setpoint = 20;
        _cycles = 0;
        Raise(nameof(Cycles));
    }

    private void Set<T>(ref T field, T value, [CallerMemberName] string name = "")
    {
        field = value;
        Raise(name);
    }

    private void Raise(string name) => PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
}
