using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RemoteModel.Viewer;

/// <summary>The live table as Spectre draws it: a header line (model, endpoint, connection, version), then one row a property.</summary>
internal static class ModelTableView
{
    public static IRenderable Render(ModelTableState state)
    {
        var connection = state.Connected ? $"[green]{Markup.Escape(state.Connection)}[/]" : $"[yellow]{Markup.Escape(state.Connection)}[/]";
        var header = new Markup(
            $"[bold]{Markup.Escape(state.Model)}[/] at {Markup.Escape(state.Endpoint ?? "-")}  {connection}  v{state.Version}"
            + (state.ViewerName is { } viewer ? $"  as {Markup.Escape(viewer)}" : string.Empty));
        var table = new Table().Border(TableBorder.Rounded).Expand();
        table.AddColumn("Property");
        table.AddColumn(new TableColumn("Value").RightAligned());
        table.AddColumn("Unit");
        table.AddColumn(new TableColumn("Version").RightAligned());
        table.AddColumn("Time");
        table.AddColumn("By");
        foreach (var row in state.Rows)
        {
            table.AddRow(
                Markup.Escape(row.Name), Markup.Escape(row.Value), Markup.Escape(row.Unit),
                row.Version == 0 && row.Time is null ? "-" : $"v{row.Version}",
                row.Time?.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(row.By));
        }

        return new Rows(header, table);
    }
}
