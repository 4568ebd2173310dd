namespace RemoteModel.Models;

/// <summary>Describes a model class. Optional: any class implementing <see cref="System.ComponentModel.INotifyPropertyChanged"/> can be served.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>What the model is, for people.</summary>
    public string Description { get; set; } = string.Empty;
}
