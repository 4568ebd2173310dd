using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for RemoteModel processes, as the <c>OpenTelemetry</c> section says
/// (<see cref="TelemetryOptions"/>): servers through their service container
/// (<see cref="GrpcServerApplication.AddGrpcServing"/> calls <see cref="AddRemoteModelTelemetry"/>),
/// tools that are not servers (the viewer, the controller) with <see cref="StartForTool"/>.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "OpenTelemetry";

    /// <summary>Adds tracing and metrics exported with OTLP when <c>OpenTelemetry:Enabled</c> is true; nothing otherwise.</summary>
    public static IServiceCollection AddRemoteModelTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = Read(configuration);
        if (!options.Enabled)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName(options)))
            .WithTracing(tracing => tracing
                .AddSource(RemoteModelDiagnostics.Name)
                .AddAspNetCoreInstrumentation()
                .AddGrpcClientInstrumentation()
                .AddOtlpExporter(otlp => Configure(otlp, options)))
            .WithMetrics(metrics => metrics
                .AddMeter(RemoteModelDiagnostics.Name)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(otlp => Configure(otlp, options)));
        return services;
    }

    /// <summary>
    /// For a tool that is not a server: starts tracing and metrics exported with OTLP when
    /// <c>OpenTelemetry:Enabled</c> is true, and returns what to dispose at exit (which sends what
    /// is left); null when it is off.
    /// </summary>
    public static IDisposable? StartForTool(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = Read(configuration);
        if (!options.Enabled)
        {
            return null;
        }

        var resource = ResourceBuilder.CreateDefault().AddService(ServiceName(options));
        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(RemoteModelDiagnostics.Name)
            .AddGrpcClientInstrumentation()
            .AddOtlpExporter(otlp => Configure(otlp, options))
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(RemoteModelDiagnostics.Name)
            .AddOtlpExporter(otlp => Configure(otlp, options))
            .Build();
        return new Providers(tracer, meter);
    }

    private static TelemetryOptions Read(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<TelemetryOptions>() ?? new TelemetryOptions();

    private static string ServiceName(TelemetryOptions options) =>
        options.ServiceName ?? Assembly.GetEntryAssembly()?.GetName().Name ?? "remotemodel";

    private static void Configure(OtlpExporterOptions otlp, TelemetryOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            otlp.Endpoint = endpoint;
        }
    }

    private sealed class Providers(TracerProvider tracer, MeterProvider meter) : IDisposable
    {
        public void Dispose()
        {
            tracer.Dispose();
            meter.Dispose();
        }
    }
}
