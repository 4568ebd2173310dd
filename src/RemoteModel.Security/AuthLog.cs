using Microsoft.Extensions.Logging;

namespace RemoteModel.Security;

/// <summary>The one log line of a refused call, whoever refuses it: the verifier (the key) or the scope check (what the key may do).</summary>
internal static partial class AuthLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth refused {Method} from {Peer} with key {KeyId}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string peer, string keyId, string reason);
}
