using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using RemoteModel.Hosting;
using RemoteModel.Security;
using RemoteModel.Security.Keys;
using RemoteModel.Web.Components;
using RemoteModel.Web.Live;
using RemoteModel.Web.Security;
using Serilog;
using Serilog.Extensions.Logging;

namespace RemoteModel.Web.Hosting;

/// <summary>
/// Runs the web view until Ctrl+C or SIGTERM, as every RemoteModel server runs: Serilog from
/// configuration, options validated at start, one <c>LISTENING</c> line on standard output when
/// ready, and a graceful stop (open pages' subscriptions end, so their viewers leave the registry).
/// </summary>
internal static partial class WebHost
{
    public static async Task<int> RunAsync(IConfigurationRoot configuration, CancellationToken cancellationToken)
    {
        Log.Logger = Logging.Create(configuration);
        using var loggers = new SerilogLoggerFactory(Log.Logger);
        var logger = loggers.CreateLogger("RemoteModel.Web");
        WebApplication? app = null;
        try
        {
            LocalSigner local;
            try
            {
                local = new LocalSigner(ClientCredentials.Resolve(configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions()));
            }
            catch (KeyringException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }

            try
            {
                // Options are validated as the server is set up (its address is one of them) and again at start.
                app = Build(configuration, local);
                await app.StartAsync(cancellationToken);
            }
            catch (OptionsValidationException ex)
            {
                foreach (var failure in ex.Failures)
                {
                    LogRefused(logger, failure);
                }

                return 2;
            }

            var options = app.Services.GetRequiredService<IOptions<WebOptions>>().Value;
            var addresses = app.Urls.ToList();
            LogReady(logger, string.Join(", ", addresses), options.ReadOnly, options.RequireLogin);
            // A machine-readable line for scripts and tests.
            Console.Out.WriteLine($"LISTENING {string.Join(' ', addresses)}");
            await app.WaitForShutdownAsync(CancellationToken.None);
            LogStopped(logger);
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, ex.Message);
            return 1;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>The app, ready to start; <paramref name="local"/> signs the calls of the person who started it.</summary>
    internal static WebApplication Build(IConfigurationRoot configuration, LocalSigner local)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(WebHost).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        // Blazor's script and the app's own files, from where the build put them (no publish step).
        builder.WebHost.UseStaticWebAssets();
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = GrpcHost.ShutdownTimeout);
        builder.Services.AddSingleton<IHostLifetime, SignalLifetime>();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<TlsOptions>().Bind(configuration.GetSection("Tls"));
        builder.Services.AddOptions<AuthOptions>().Bind(configuration.GetSection("Auth"));
        builder.Services.AddOptions<WebOptions>().Bind(configuration.GetSection("Web")).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebOptions>, WebOptionsValidator>();
        builder.Services.Configure<KestrelServerOptions>(kestrel => Listen(kestrel, kestrel.ApplicationServices));
        builder.Services.AddHostNameFiltering(configuration);

        builder.Services.AddSingleton(local);
        builder.Services.AddSingleton<KeyLogin>();
        builder.Services.AddSingleton<ViewerNames>();
        builder.Services.AddScoped<WebUserAccessor>();
        builder.Services.AddScoped<LiveModelFactory>();
        // Secure cookies need TLS; in the clear the web view serves loopback only (WebOptionsValidator).
        var cookiePolicy = configuration.GetValue<string>("Web:Listen")?.StartsWith("https://", StringComparison.Ordinal) == true
            ? CookieSecurePolicy.Always
            : CookieSecurePolicy.SameAsRequest;
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = "remotemodel-web";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SecurePolicy = cookiePolicy;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.LoginPath = "/login";
            cookie.LogoutPath = "/logout";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            cookie.SlidingExpiration = true;
        });
        var requireLogin = configuration.GetValue<bool>("Web:RequireLogin");
        builder.Services.AddAuthorization(authorization =>
        {
            if (requireLogin)
            {
                authorization.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            }
        });
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.SecurePolicy = cookiePolicy;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.AddRazorComponents().AddInteractiveServerComponents(circuit =>
        {
            // A page whose tab died without saying so is a viewer nobody watches: let it go soon.
            circuit.DisconnectedCircuitRetentionPeriod = TimeSpan.FromSeconds(30);
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapLogin();
        return app;
    }

    /// <summary>HTTP/1.1 and HTTP/2 (browsers speak HTTP/1.1 in the clear), on the one configured address.</summary>
    private static void Listen(KestrelServerOptions kestrel, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<WebOptions>>().Value;
        var tls = services.GetRequiredService<IOptions<TlsOptions>>().Value;
        kestrel.AddServerHeader = false;
        var uri = new Uri(options.Listen);
        Action<ListenOptions> configure = uri.Scheme == "https"
            ? listen => listen.UseHttps(ListenAddress.LoadCertificate(options.Listen, tls))
            : listen => listen.Protocols = HttpProtocols.Http1AndHttp2;
        if (uri.Host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, configure);
        }
        else
        {
            kestrel.Listen(System.Net.IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port, configure);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Web view ready on {Addresses} (read-only {ReadOnly}, login {RequireLogin})")]
    private static partial void LogReady(Microsoft.Extensions.Logging.ILogger logger, string addresses, bool readOnly, bool requireLogin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Web view stopped")]
    private static partial void LogStopped(Microsoft.Extensions.Logging.ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Web view failed: {Message}")]
    private static partial void LogFailed(Microsoft.Extensions.Logging.ILogger logger, Exception exception, string message);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Web view refused to start: {Problem}")]
    private static partial void LogRefused(Microsoft.Extensions.Logging.ILogger logger, string problem);
}
