namespace RemoteModel.Controller;

/// <summary>The <c>Controller</c> configuration section.</summary>
public sealed class ControllerOptions
{
    /// <summary>The name server for names without one; empty: <c>$REMOTEMODEL_NAMESERVER</c>, then <c>http://127.0.0.1:9090</c>.</summary>
    public string? NameServer { get; set; }

    /// <summary>Who calls are made as, in the servers' audit and viewers' "by" lines; empty: <c>user@host</c>.</summary>
    public string? Caller { get; set; }

    /// <summary>How long one call may take. Default 30 s.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether interactive submissions are kept across sessions. Default true.</summary>
    public bool History { get; set; } = true;

    /// <summary>The history file; empty: <c>$XDG_STATE_HOME/remotemodel/controller_history</c> (<c>~/.local/state/...</c> without it).</summary>
    public string? HistoryFile { get; set; }

    /// <summary>How many submissions the history keeps. Default 1000.</summary>
    public int HistorySize { get; set; } = 1000;

    /// <summary>Print errors with their stack traces. Default false: one line an error.</summary>
    public bool Verbose { get; set; }
}
