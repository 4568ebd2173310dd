using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace RemoteModel.Bench;

/// <summary>
/// The model the model-server workloads query, modify and watch: a double the driver sets to its
/// send timestamp, a counter it sets to the change's sequence number, and a string.
/// </summary>
public sealed class BenchModel : INotifyPropertyChanged
{
    private double _value;
    private long _counter;
    private string _label = "bench";

    public event PropertyChangedEventHandler? PropertyChanged;

    public double Value
    {
        get => _value;
        set => Set(ref _value, value);
    }

    public long Counter
    {
        get => _counter;
        set => Set(ref _counter, value);
    }

    public string Label
    {
        get => _label;
        set => Set(ref _label, value);
    }

    private void Set<T>(ref T field, T value, [CallerMemberName] string? name = null)
    {
        field = value;
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
    }
}
