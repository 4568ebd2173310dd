using Microsoft.Extensions.Logging;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// A model's periodic streams on the clock: one timer per enabled stream, re-rated or stopped at run
/// time, each tick handed to <c>sample</c> under the host's change lock (so a sample never falls
/// inside a change). A tick of a timer that was replaced meanwhile is dropped.
/// </summary>
internal sealed partial class StreamScheduler
{
    private readonly string _model;
    private readonly IReadOnlyDictionary<string, StreamBinding> _streams;
    private readonly object _gate;
    private readonly TimeProvider _time;
    private readonly Action<StreamBinding> _sample;
    private readonly ILogger _logger;

    /// <summary>Schedules <paramref name="streams"/>, starting those declared with a rate.</summary>
    public StreamScheduler(string model, IReadOnlyDictionary<string, StreamBinding> streams, object gate, TimeProvider timeProvider, Action<StreamBinding> sample, ILogger logger)
    {
        _model = model;
        _streams = streams;
        _gate = gate;
        _time = timeProvider;
        _sample = sample;
        _logger = logger;
        lock (_gate)
        {
            foreach (var stream in _streams.Values.Where(s => s.RateHz > 0))
            {
                Start(stream);
            }
        }
    }

    /// <summary>The streams, described with their current rates.</summary>
    public IEnumerable<PeriodicStreamDescription> Describe() => _streams.Values.Select(s => s.Describe());

    /// <exception cref="ModelException">NOT_FOUND for a stream the model does not declare.</exception>
    public StreamBinding Find(string stream) =>
        _streams.TryGetValue(stream, out var binding)
            ? binding
            : throw new ModelException(ModelErrorReason.NotFound,
                $"model '{_model}' has no periodic stream '{stream}'; it has: {(_streams.Count == 0 ? "none" : string.Join(", ", _streams.Keys))}");

    /// <summary>Enables (rate above 0), re-rates or disables (0) a stream.</summary>
    /// <exception cref="ModelException">NOT_FOUND (unknown stream), INVALID_ARGUMENT (negative rate), OUT_OF_RANGE (above the stream's maximum).</exception>
    public PeriodicStreamDescription SetRate(string stream, double rateHz, string caller)
    {
        lock (_gate)
        {
            var binding = Find(stream);
            if (!double.IsFinite(rateHz) || rateHz < 0)
            {
                throw new ModelException(ModelErrorReason.InvalidArgument, $"stream '{stream}': a rate must be 0 (off) or positive, not {rateHz}");
            }

            if (rateHz > binding.MaxRateHz)
            {
                throw new ModelException(ModelErrorReason.OutOfRange, $"stream '{stream}': {rateHz} Hz is above its maximum of {binding.MaxRateHz} Hz");
            }

            binding.Timer?.Dispose();
            binding.Timer = null;
            binding.RateHz = rateHz;
            if (rateHz > 0)
            {
                Start(binding);
            }

            LogStreamRate(_model, stream, rateHz, caller);
            return binding.Describe();
        }
    }

    /// <summary>Stops every stream's timer.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            foreach (var stream in _streams.Values)
            {
                stream.Timer?.Dispose();
                stream.Timer = null;
            }
        }
    }

    private void Start(StreamBinding stream)
    {
        var period = TimeSpan.FromSeconds(1 / stream.RateHz);
        ITimer? timer = null;
        timer = _time.CreateTimer(_ => Tick(stream, timer), null, period, period);
        stream.Timer = timer;
    }

    private void Tick(StreamBinding stream, ITimer? timer)
    {
        lock (_gate)
        {
            if (stream.Timer != timer || timer is null)
            {
                return;
            }

            _sample(stream);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} stream {Stream} set to {RateHz} Hz by {Caller}")]
    private partial void LogStreamRate(string model, string stream, double rateHz, string caller);
}
