namespace RemoteModel.Models;

/// <summary>Keeps a public property or method out of the model's schema.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Method, Inherited = true)]
public sealed class ModelIgnoreAttribute : Attribute;
