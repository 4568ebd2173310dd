namespace RemoteModel.Web.Hosting;

/// <summary>The <c>Web</c> configuration section.</summary>
internal sealed class WebOptions
{
    /// <summary>The default address: loopback only, so the page serves the person who started it.</summary>
    public const string DefaultListen = "http://127.0.0.1:8080";

    /// <summary>
    /// Where the web view listens. Default <c>http://127.0.0.1:8080</c>. Anything but loopback needs
    /// <c>https://</c> with <c>Tls:CertificatePath</c> and <see cref="RequireLogin"/>.
    /// </summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>The name server; empty: <c>$REMOTEMODEL_NAMESERVER</c>, then <c>http://127.0.0.1:9090</c>.</summary>
    public string? NameServer { get; set; }

    /// <summary>Show everything and change nothing: no inputs, no buttons, and calls refused. Default false.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Ask for a key id and secret (checked against the keyring) before showing anything, and call
    /// models with that key. Default false: on loopback the page serves the person who started it.
    /// </summary>
    public bool RequireLogin { get; set; }

    /// <summary>Who the person at the page is without a login (audit: <c>USER via web [key ID]</c>); empty: the account that runs the web view.</summary>
    public string? User { get; set; }

    /// <summary>How many times a second a page redraws at most (and asks its model for at most). Default 10.</summary>
    public double DisplayRateHz { get; set; } = 10;

    /// <summary>How far back the plot reaches. Default 5 minutes.</summary>
    public TimeSpan PlotWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many audit records the history table shows. Default 50.</summary>
    public int HistoryLimit { get; set; } = 50;

    /// <summary>How long one call to a model may take. Default 30 s.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The person at the page when nobody logs in.</summary>
    public string LocalUser => string.IsNullOrWhiteSpace(User) ? Environment.UserName : User;
}
