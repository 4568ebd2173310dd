using RemoteModel.Models.V1;

namespace RemoteModel.Viewer;

/// <summary>One property's line in the table.</summary>
/// <param name="Quality">The value's quality; UNSPECIFIED from a server that does not say.</param>
internal sealed record PropertyRow(string Name, string Value, string Unit, long Version, DateTimeOffset? Time, string By, Quality Quality);
