using System.Text;

namespace RemoteModel.Client;

/// <summary>Rows under a header in aligned columns, two spaces apart, as a console shows them.</summary>
internal static class TextTable
{
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Count).Select(column => all.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            if (text.Length > 0)
            {
                text.AppendLine();
            }

            var line = new StringBuilder();
            for (var column = 0; column < row.Count; column++)
            {
                line.Append(column == 0 ? string.Empty : "  ").Append(column == row.Count - 1 ? row[column] : row[column].PadRight(widths[column]));
            }

            text.Append(line.ToString().TrimEnd());
        }

        return text.ToString();
    }
}
