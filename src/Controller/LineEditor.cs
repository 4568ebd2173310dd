using System.Globalization;
using System.Text;

namespace RemoteModel.Controller;

/// <summary>
/// Reads a line from a terminal with the editing people expect: arrows, Home and End, Backspace
/// and Delete, Ctrl+A/E/U/K/W, and Up and Down through the history (a submission of several
/// lines comes back as one). Ctrl+D on an empty line ends the input; Ctrl+C drops the line and is
/// reported to <c>interrupted</c>, which says whether to go on reading.
/// </summary>
internal sealed class LineEditor(IReadOnlyList<string> history, Func<bool> interrupted, string freshPrompt, LineTrackingWriter output)
{
    private readonly StringBuilder _line = new();
    private string _prompt = string.Empty;
    private int _cursor;
    private int _shownCursor;

    /// <summary>The line typed after <paramref name="prompt"/>; null at Ctrl+D on an empty line, or when a Ctrl+C ends the session.</summary>
    public string? ReadLine(string prompt)
    {
        var recalled = history.Count;
        Start(prompt);
        Console.TreatControlCAsInput = true;
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                var control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        MoveTo(_line.Length);
                        output.Write(Environment.NewLine);
                        return _line.ToString();
                    case ConsoleKey.C when control:
                        MoveTo(_line.Length);
                        output.Write("^C" + Environment.NewLine);
                        if (!interrupted())
                        {
                            return null;
                        }

                        recalled = history.Count;
                        Start(freshPrompt);
                        continue;
                    case ConsoleKey.D when control:
                        if (_line.Length == 0)
                        {
                            output.Write(Environment.NewLine);
                            return null;
                        }

                        Delete(_cursor, 1);
                        break;
                    case ConsoleKey.LeftArrow or ConsoleKey.B when key.Key == ConsoleKey.LeftArrow || control:
                        _cursor = Math.Max(0, _cursor - 1);
                        break;
                    case ConsoleKey.RightArrow or ConsoleKey.F when key.Key == ConsoleKey.RightArrow || control:
                        _cursor = Math.Min(_line.Length, _cursor + 1);
                        break;
                    case ConsoleKey.Home or ConsoleKey.A when key.Key == ConsoleKey.Home || control:
                        _cursor = 0;
                        break;
                    case ConsoleKey.End or ConsoleKey.E when key.Key == ConsoleKey.End || control:
                        _cursor = _line.Length;
                        break;
                    case ConsoleKey.Backspace:
                        if (_cursor > 0)
                        {
                            Delete(--_cursor, 1);
                        }

                        break;
                    case ConsoleKey.Delete:
                        Delete(_cursor, 1);
                        break;
                    case ConsoleKey.U when control:
                        Delete(0, _cursor);
                        _cursor = 0;
                        break;
                    case ConsoleKey.K when control:
                        Delete(_cursor, _line.Length - _cursor);
                        break;
                    case ConsoleKey.W when control:
                        var start = _cursor;
                        while (start > 0 && _line[start - 1] == ' ')
                        {
                            start--;
                        }

                        while (start > 0 && _line[start - 1] != ' ')
                        {
                            start--;
                        }

                        Delete(start, _cursor - start);
                        _cursor = start;
                        break;
                    case ConsoleKey.UpArrow or ConsoleKey.DownArrow:
                        recalled = Math.Clamp(recalled + (key.Key == ConsoleKey.UpArrow ? -1 : 1), 0, history.Count);
                        _line.Clear().Append(recalled < history.Count ? history[recalled].ReplaceLineEndings(" ") : string.Empty);
                        _cursor = _line.Length;
                        break;
                    case ConsoleKey.Tab:
                        Insert("    ");
                        break;
                    default:
                        if (!control && key.KeyChar >= ' ')
                        {
                            Insert(key.KeyChar.ToString());
                        }

                        break;
                }

                Redraw();
            }
        }
        finally
        {
            // Ctrl+C is a signal again while code runs, so that it cancels the evaluation.
            Console.TreatControlCAsInput = false;
        }
    }

    private static int Width => Console.WindowWidth > 0 ? Console.WindowWidth : 80;

    private void Start(string prompt)
    {
        _prompt = prompt;
        _line.Clear();
        _cursor = 0;
        _shownCursor = 0;
        // Output that did not end its line would be drawn over: the prompt starts a line of its own.
        output.Write(output.AtLineStart ? prompt : Environment.NewLine + prompt);
    }

    private void Insert(string text)
    {
        _line.Insert(_cursor, text);
        _cursor += text.Length;
    }

    private void Delete(int at, int count)
    {
        count = Math.Min(count, _line.Length - at);
        if (count > 0)
        {
            _line.Remove(at, count);
        }
    }

    /// <summary>Writes the prompt and line again from where the prompt starts, and puts the cursor where it belongs; lines wider than the terminal wrap.</summary>
    private void Redraw()
    {
        var text = new StringBuilder();
        text.Append(Up((_prompt.Length + _shownCursor) / Width)).Append('\r').Append(_prompt).Append(_line);
        var end = _prompt.Length + _line.Length;
        if (end % Width == 0)
        {
            // At the right margin the terminal waits to wrap; make it wrap, so the arithmetic below holds.
            text.Append(" \b");
        }

        text.Append("\u001b[J");
        _shownCursor = _line.Length;
        output.Write(text.ToString());
        MoveTo(_cursor);
    }

    /// <summary>Moves the terminal's cursor from where the line is shown to position <paramref name="index"/> of the line.</summary>
    private void MoveTo(int index)
    {
        var from = _prompt.Length + _shownCursor;
        var to = _prompt.Length + index;
        var text = new StringBuilder(Up((from / Width) - (to / Width)));
        if (to / Width > from / Width)
        {
            text.Append(CultureInfo.InvariantCulture, $"\u001b[{(to / Width) - (from / Width)}B");
        }

        text.Append('\r');
        if (to % Width > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\u001b[{to % Width}C");
        }

        _shownCursor = index;
        output.Write(text.ToString());
    }

    private static string Up(int rows) => rows > 0 ? string.Create(CultureInfo.InvariantCulture, $"\u001b[{rows}A") : string.Empty;
}
