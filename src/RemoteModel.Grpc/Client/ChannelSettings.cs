namespace RemoteModel.Grpc.Client;

/// <summary>How a <see cref="SignedChannel"/> connects; every setting named and defaulted.</summary>
public sealed class ChannelSettings
{
    /// <summary>The largest response message accepted, in bytes. Default 4 MiB, as in stock gRPC.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long to wait for a connection before failing a call with UNAVAILABLE. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a connection with calls open may stay silent before the client pings the server,
    /// so a dead server is noticed on a stream that has nothing to say. Default 60 s (stock gRPC
    /// servers refuse pings much more frequent than once a minute); <see cref="Timeout.InfiniteTimeSpan"/>
    /// turns pings off.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for a ping's answer before the connection is declared dead. Default 20 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// For https: a PEM file of the certificate (or its issuing authority) to trust, for servers
    /// with self-signed certificates. Without it the system's trust store decides.
    /// </summary>
    public string? TrustedCertificatePath { get; set; }
}
