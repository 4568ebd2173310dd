using RemoteModel.Models.V1;

namespace RemoteModel.Web.Inputs;

/// <summary>What an input holds after an edit: the value read from it, or why it cannot be read.</summary>
/// <param name="Name">The property or parameter.</param>
/// <param name="Value">The value; null when <paramref name="Problem"/> says why not.</param>
/// <param name="Problem">Why the text is not a value of the declared type.</param>
public sealed record ValueEdit(string Name, Value? Value, string? Problem);
