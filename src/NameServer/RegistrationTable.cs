using RemoteModel.Naming.V1;

namespace RemoteModel.NameServer;

/// <summary>Registrations as people read them.</summary>
internal static class RegistrationTable
{
    public static void Write(TextWriter output, IReadOnlyCollection<Registration> registrations)
    {
        if (registrations.Count == 0)
        {
            output.WriteLine("(no registrations)");
            return;
        }

        string[] header = ["NAME", "KIND", "ENDPOINTS", "LEASE", "METADATA"];
        var rows = registrations.Select(r => new[]
        {
            r.Name, r.Kind, string.Join(' ', r.Endpoints), Lease(r),
            string.Join(' ', r.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}").Concat(r.Tags.Select(t => "#" + t))),
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(row => row[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Line(header, widths));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    public static string Describe(Registration r) =>
        $"{r.Name} ({r.Kind}) {string.Join(' ', r.Endpoints)} {Lease(r)}"
        + string.Concat(r.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $" {p.Key}={p.Value}"));

    public static string Describe(WatchEvent change) => change.Type switch
    {
        WatchEvent.Types.Type.SnapshotEnd => $"-- {change.Revision}: live changes follow",
        _ => $"{change.Type.ToString().ToLowerInvariant(),-12} {Describe(change.Registration)}",
    };

    private static string Lease(Registration r) => r.LeaseId == 0 ? "static" : $"lease {r.LeaseId} ttl {r.Ttl?.ToTimeSpan().TotalSeconds:0.#}s";

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd();
}
