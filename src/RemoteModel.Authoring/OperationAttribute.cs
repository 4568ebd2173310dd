namespace RemoteModel.Models;

/// <summary>
/// Makes a public method invocable as a model operation. Its parameters are published with their
/// types and defaults (describe them with <see cref="ModelPropertyAttribute"/>); its return value,
/// if any, is the result. Operations run synchronously on the model's change path.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class OperationAttribute : Attribute
{
    /// <summary>What the operation does, for people.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The lifecycle states in which it may be invoked; empty (default): any.</summary>
    public ModelLifecycleState[] AllowedIn { get; set; } = [];
}
