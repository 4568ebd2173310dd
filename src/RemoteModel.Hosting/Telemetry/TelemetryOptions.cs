namespace RemoteModel.Hosting.Telemetry;

/// <summary>
/// Tracing and metrics through OpenTelemetry; bound from the <c>OpenTelemetry</c> configuration
/// section. Off by default: nothing is collected or sent.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// Collect the project's spans and metrics (<c>RemoteModel</c>) with ASP.NET Core's and
    /// Grpc.Net.Client's, and send them with the OTLP exporter. Default off.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Where the OTLP exporter sends (OTLP over gRPC). Default the exporter's own:
    /// <c>$OTEL_EXPORTER_OTLP_ENDPOINT</c>, else <c>http://localhost:4317</c>.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>The service name the telemetry is sent under. Default the executable's name (<c>remotemodel-server</c>).</summary>
    public string? ServiceName { get; set; }
}
