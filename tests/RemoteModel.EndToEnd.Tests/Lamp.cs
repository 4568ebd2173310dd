using System.ComponentModel;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>A model with one property to set, for the tests of what a server reports about itself.</summary>
internal sealed class Lamp : INotifyPropertyChanged
{
    private string _color = "white";

    public event PropertyChangedEventHandler? PropertyChanged;

    public string Color
    {
        get => _color;
        set
        {
            _color = value;
            PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Color)));
        }
    }
}
