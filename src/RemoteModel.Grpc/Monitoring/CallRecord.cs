using Grpc.Core;

namespace RemoteModel.Grpc.Monitoring;

/// <summary>One call a server served, as a <see cref="CallMonitor"/> reports it.</summary>
/// <param name="Time">When the call arrived.</param>
/// <param name="Method">The full method path: <c>/remotemodel.v1.Model/Modify</c>.</param>
/// <param name="Name">The model or registration the call is about (its request's <c>model</c> or <c>name</c>), or null.</param>
/// <param name="Caller">Who the caller says it is (the <c>remotemodel-caller</c> header), or null.</param>
/// <param name="Key">The key the call was verified with, or null for an unsigned call.</param>
/// <param name="Peer">Where the call came from, as gRPC writes it: <c>ipv4:192.0.2.7:50312</c>.</param>
/// <param name="Status">How it ended; for <see cref="Started"/>, <see cref="StatusCode.OK"/>.</param>
/// <param name="Detail">The status detail, or null.</param>
/// <param name="Duration">How long it took, from arrival to end; zero for <see cref="Started"/>.</param>
/// <param name="Values">For a call that sets values (Modify), the values asked for, as text; else null.</param>
/// <param name="Started">True for the start of a stream (reported again when it ends), false for a call's end.</param>
public sealed record CallRecord(
    DateTimeOffset Time,
    string Method,
    string? Name,
    string? Caller,
    string? Key,
    string Peer,
    StatusCode Status,
    string? Detail,
    TimeSpan Duration,
    IReadOnlyDictionary<string, string>? Values,
    bool Started);
