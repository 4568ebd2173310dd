using System.Globalization;
using RemoteModel.Models.V1;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RemoteModel.Viewer;

/// <summary>
/// The live table as Spectre draws it: a header line (model, endpoint, connection, version), then
/// one line a property, its value coloured and marked by its quality when that is not VALID. Values and callers too long for the terminal end in an ellipsis rather
/// than wrapping, so a property never takes two lines and the table does not jump as it changes.
/// </summary>
internal static class ModelTableView
{
    private const string Ellipsis = "…";

    // Six columns: seven borders and a space either side of each cell.
    private const int Frame = 7 + (6 * 2);

    public static IRenderable Render(ModelTableState state, int width)
    {
        var connection = state.Connected ? $"[green]{Markup.Escape(state.Connection)}[/]" : $"[yellow]{Markup.Escape(state.Connection)}[/]";
        var header = new Markup(
            $"[bold]{Markup.Escape(state.Model)}[/] at {Markup.Escape(state.Endpoint ?? "-")}  {connection}  v{state.Version}"
            + (state.ViewerName is { } viewer ? $"  as {Markup.Escape(viewer)}" : string.Empty));

        var qualities = state.Rows.Select(row => row.Quality).ToList();
        var rows = state.Rows.Select(row => new[]
        {
            row.Name, row.Value + Marker(row.Quality), row.Unit,
            row.Version == 0 && row.Time is null ? "-" : $"v{row.Version}",
            row.Time?.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "-",
            row.By,
        }).ToList();
        string[] titles = ["Property", "Value", "Unit", "Version", "Time", "By"];
        var natural = titles.Select((title, column) => rows.Select(r => Cells(r[column])).Append(title.Length).Max()).ToArray();
        var (valueWidth, byWidth) = Share(width - Frame - natural[0] - natural[2] - natural[3] - natural[4], natural[1], natural[5]);

        var table = new Table().Border(TableBorder.Rounded).Expand();
        table.AddColumn(titles[0]);
        table.AddColumn(new TableColumn(titles[1]).RightAligned());
        table.AddColumn(titles[2]);
        table.AddColumn(new TableColumn(titles[3]).RightAligned());
        table.AddColumn(titles[4]);
        table.AddColumn(titles[5]);
        foreach (var (row, quality) in rows.Zip(qualities))
        {
            table.AddRow(
                new Text(row[0]), new Text(Shorten(row[1], valueWidth), StyleOf(quality)), new Text(row[2]),
                new Text(row[3]), new Text(row[4]), new Text(Shorten(row[5], byWidth)));
        }

        return new Rows(header, table);
    }

    /// <summary>What follows a value that is not VALID, so it shows without colour too.</summary>
    internal static string Marker(Quality quality) => quality switch
    {
        Quality.Warning => " [WARNING]",
        Quality.Alarm => " [ALARM]",
        Quality.Invalid => " [INVALID]",
        _ => string.Empty,
    };

    /// <summary>Tango's colours: warning orange, alarm red, invalid grey.</summary>
    private static Style StyleOf(Quality quality) => quality switch
    {
        Quality.Warning => new Style(Color.Orange1),
        Quality.Alarm => new Style(Color.Red, decoration: Decoration.Bold),
        Quality.Invalid => new Style(Color.Grey, decoration: Decoration.Strikethrough),
        _ => Style.Plain,
    };

    /// <summary>Splits <paramref name="room"/> between the value and caller columns: each gets what it needs if both fit, else half, and what one leaves goes to the other.</summary>
    private static (int Value, int By) Share(int room, int value, int by)
    {
        room = Math.Max(room, 2);
        if (value + by <= room)
        {
            return (value, by);
        }

        var valueWidth = Math.Min(value, Math.Max(room / 2, room - by));
        return (valueWidth, Math.Max(1, room - valueWidth));
    }

    /// <summary>How many terminal cells <paramref name="text"/> takes (a wide character two).</summary>
    private static int Cells(string text) => new Segment(text).CellCount();

    private static string Shorten(string text, int width)
    {
        if (Cells(text) <= width)
        {
            return text;
        }

        var kept = new System.Text.StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Cells(kept + rune.ToString()) > width - 1)
            {
                break;
            }

            kept.Append(rune.ToString());
        }

        return kept + Ellipsis;
    }
}
