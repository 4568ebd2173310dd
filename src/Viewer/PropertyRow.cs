using RemoteModel.Models.V1;

namespace RemoteModel.Viewer;

/// <summary>One property's line in the table.</summary>
internal sealed class PropertyRow(string name)
{
    public string Name { get; } = name;

    public string Value { get; set; } = string.Empty;

    public string Unit { get; set; } = string.Empty;

    public long Version { get; set; }

    public DateTimeOffset? Time { get; set; }

    public string By { get; set; } = string.Empty;

    /// <summary>The value's quality; UNSPECIFIED from a server that does not say.</summary>
    public Quality Quality { get; set; }

    /// <summary>Why the quality is not VALID.</summary>
    public string Reason { get; set; } = string.Empty;
}
