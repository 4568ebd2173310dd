using System.Text;

namespace RemoteModel.Controller;

/// <summary>
/// Standard output that remembers whether what was written last ended its line, so the line
/// editor can start its prompt on a line of its own after <c>Console.Write("x")</c> without
/// asking the terminal where its cursor is (not every terminal answers).
/// </summary>
internal sealed class LineTrackingWriter(TextWriter inner) : TextWriter
{
    /// <summary>Whether nothing, or a whole line, was written last.</summary>
    public bool AtLineStart { get; private set; } = true;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        inner.Write(value);
        AtLineStart = value == '\n';
    }

    public override void Write(string? value)
    {
        inner.Write(value);
        if (!string.IsNullOrEmpty(value))
        {
            AtLineStart = value[^1] == '\n';
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        inner.Write(buffer, index, count);
        if (count > 0)
        {
            AtLineStart = buffer[index + count - 1] == '\n';
        }
    }

    public override void Flush() => inner.Flush();
}
