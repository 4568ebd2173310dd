using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Naming.V1;
using RemoteModel.Security;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Client;

/// <summary>
/// Keeps one registration alive for as long as it runs, by holding it with a stream: when this
/// process ends, however it ends, the name server drops the registration; when the name server
/// goes away and comes back, the keeper registers again by itself.
/// </summary>
public sealed partial class RegistrationKeeper : IAsyncDisposable
{
    private readonly Registration _registration;
    private readonly SignedChannel _channel;
    private readonly bool _ownsChannel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<Registration> _firstRegistration = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    /// <summary>Creates a keeper for <paramref name="registration"/> with the name server at <paramref name="nameServer"/> (or the usual one).</summary>
    public RegistrationKeeper(Registration registration, string? nameServer = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(registration, CreateChannel(NameServerLocator.Resolve(nameServer), ClientCredentials.Default), ownsChannel: true, timeProvider, logger)
    {
    }

    /// <summary>
    /// Creates a keeper that holds its registration over <paramref name="nameServer"/>, a channel
    /// shared with other keepers (each hold is one stream on it) and not disposed by this one.
    /// </summary>
    public RegistrationKeeper(Registration registration, SignedChannel nameServer, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(registration, nameServer, ownsChannel: false, timeProvider, logger)
    {
    }

    private RegistrationKeeper(Registration registration, SignedChannel channel, bool ownsChannel, TimeProvider? timeProvider, ILogger? logger)
    {
        _registration = registration.Clone();
        _channel = channel;
        _ownsChannel = ownsChannel;
        NameServer = channel.Target;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// A channel to a name server with keep-alive pings that stock servers accept, so a lost name
    /// server is noticed; its calls signed by <paramref name="signer"/>, or unsigned when it is null
    /// (for a name server with authentication off, which cannot seal its answers to a signed call).
    /// </summary>
    public static SignedChannel CreateChannel(string nameServer, CallSigner? signer) =>
        SignedChannel.ForAddress(nameServer, signer, new ChannelSettings
        {
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        });

    /// <summary>The name server this keeper registers with.</summary>
    public string NameServer { get; }

    /// <summary>The registration as the name server last confirmed it; null before the first.</summary>
    public Registration? Current { get; private set; }

    /// <summary>The first time the registration holds. Faults only if the keeper is stopped first.</summary>
    public Task<Registration> Registered => _firstRegistration.Task;

    /// <summary>The shortest wait before registering again after the name server went away.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between attempts, so a restarted name server gets everyone back within seconds.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Called each time the name server confirms the registration: first, and after every re-registration.</summary>
    public Action<Registration>? OnHeld { get; init; }

    /// <summary>Starts holding the registration.</summary>
    public RegistrationKeeper Start()
    {
        _loop ??= Task.Run(() => KeepAsync(_stopping.Token));
        return this;
    }

    /// <summary>Ends the hold: the name server drops the registration at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _firstRegistration.TrySetCanceled();
        if (_ownsChannel)
        {
            _channel.Dispose();
        }

        _stopping.Dispose();
    }

    private async Task KeepAsync(CancellationToken stopping)
    {
        var client = new NamingClient(_channel);
        var delay = InitialRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                using var hold = client.Hold(_registration, options: new CallOptions(cancellationToken: stopping));
                await foreach (var held in hold.ResponseStream.ReadAllAsync(stopping).ConfigureAwait(false))
                {
                    Current = held.Registration;
                    delay = InitialRetryDelay;
                    LogHeld(held.Registration.Name, NameServer, held.Registration.LeaseId);
                    _firstRegistration.TrySetResult(held.Registration);
                    OnHeld?.Invoke(held.Registration);
                }
            }
            catch (RpcException ex) when (!stopping.IsCancellationRequested)
            {
                LogLost(_registration.Name, NameServer, ex.Status.StatusCode, ex.Status.Detail, delay);
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException && stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Name} with the name server at {NameServer} (lease {LeaseId})")]
    private partial void LogHeld(string name, string nameServer, long leaseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registration of {Name} with {NameServer} lost ({Code}: {Detail}); registering again in {Delay}")]
    private partial void LogLost(string name, string nameServer, StatusCode code, string detail, TimeSpan delay);
}
