using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;

namespace RemoteModel.Hosting;

/// <summary>
/// Serilog for every executable: timestamps, levels, source and structured properties on one line
/// per event, to the console (standard error, so a CLI's output stays clean); sinks and levels
/// can be changed in the <c>Serilog</c> configuration section.
/// </summary>
public static class Logging
{
    /// <summary>The console line format.</summary>
    public const string ConsoleTemplate =
        "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>A logger configured from <paramref name="configuration"/>, with the console sink unless configuration names sinks.</summary>
    public static Serilog.ILogger Create(IConfiguration configuration)
    {
        var logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            // grpc-dotnet logs every call at Debug and every cancelled stream (a viewer leaving) at Information.
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .ReadFrom.Configuration(configuration);
        if (!configuration.GetSection("Serilog:WriteTo").Exists())
        {
            logger = logger.WriteTo.Console(outputTemplate: ConsoleTemplate, standardErrorFromLevel: LogEventLevel.Verbose);
        }

        return logger.CreateLogger();
    }
}
