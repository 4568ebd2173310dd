using Microsoft.Extensions.Logging;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.Security;

/// <summary>The one log line of a refused call, whoever refuses it: the verifier (the key) or the scope check (what the key may do).</summary>
internal static partial class AuthLog
{
    /// <summary>Logs the refusal and counts it (<see cref="RemoteModelDiagnostics.AuthRefusals"/>).</summary>
    public static void Refused(ILogger logger, string method, string peer, string keyId, string reason)
    {
        RemoteModelDiagnostics.AuthRefusals.Add(1, new KeyValuePair<string, object?>("rpc.method", method));
        LogRefused(logger, method, peer, keyId, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth refused {Method} from {Peer} with key {KeyId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string peer, string keyId, string reason);
}
