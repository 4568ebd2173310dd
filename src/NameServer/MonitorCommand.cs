using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using RemoteModel.Grpc.Client;
using RemoteModel.Hosting;
using RemoteModel.Monitoring.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Security;
using RemoteModel.Security.Keys;
using MonitorClient = RemoteModel.Monitoring.V1.Monitor.MonitorClient;

namespace RemoteModel.NameServer;

/// <summary>
/// <c>remotemodel-ns monitor</c>: every call a server serves, live, one line each, until Ctrl+C.
/// The name server by default; any RemoteModel server (a model server) with <c>--endpoint</c>.
/// Needs a key with scope admin. Exit codes as the other client commands.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create(Option<string?> nameServer, Option<bool> json)
    {
        var endpoint = new Option<string?>("--endpoint") { Description = "The server to watch (a model server: http://host:port). Default: the name server." };
        var method = new Option<string?>("--method") { Description = "Only methods whose path contains this (Modify, Naming/)." };
        var name = new Option<string?>("--name") { Description = "Only calls about names starting with this." };
        var caller = new Option<string?>("--caller") { Description = "Only calls by this caller or signed with this key id." };
        var errors = new Option<bool>("--errors") { Description = "Only calls that did not end OK." };
        var queue = new Option<uint>("--queue") { Description = "Events the server may hold for this monitor before it drops some (default: the server's, 1,000)." };
        var command = new Command("monitor", "Show every call a server serves, live, until Ctrl+C (needs scope admin).") { endpoint, method, name, caller, errors, queue };
        command.SetAction(async (result, token) =>
        {
            var address = result.GetValue(endpoint) ?? NameServerLocator.Resolve(result.GetValue(nameServer));
            var request = new MonitorRequest
            {
                Method = result.GetValue(method) ?? string.Empty,
                NamePrefix = result.GetValue(name) ?? string.Empty,
                Caller = result.GetValue(caller) ?? string.Empty,
                ErrorsOnly = result.GetValue(errors),
                QueueLength = result.GetValue(queue),
            };
            using var shutdown = new ShutdownSignal(token);
            try
            {
                using var channel = SignedChannel.ForAddress(address, ClientCredentials.Default);
                using var call = new MonitorClient(channel).Watch(request, new CallOptions(cancellationToken: shutdown.Token));
                await foreach (var monitored in call.ResponseStream.ReadAllAsync(shutdown.Token))
                {
                    Console.WriteLine(result.GetValue(json) ? JsonFormatter.Default.Format(monitored) : Line(monitored, address));
                }

                return 0;
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is RpcException && shutdown.Token.IsCancellationRequested)
            {
                return 0;
            }
            catch (KeyringException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return ClientCommands.Refused;
            }
            catch (RpcException ex)
            {
                Console.Error.WriteLine($"{ex.Status.StatusCode}: {ex.Status.Detail}");
                return ex.StatusCode == StatusCode.Unavailable ? ClientCommands.Unreachable : ClientCommands.Refused;
            }
        });
        return command;
    }

    /// <summary>
    /// One event for a person: <c>05:40:01.123 Model/Modify ticker by alice@lab [key ops] from
    /// ipv4:192.0.2.13:50312: OK in 1.2 ms {Symbol="ACME"}</c>, after a line for events lost before it.
    /// </summary>
    internal static string Line(MonitorEvent monitored, string address)
    {
        if (monitored.Kind == MonitorEvent.Types.Kind.Watching)
        {
            return $"watching {address} (Ctrl+C to stop)";
        }

        var dropped = monitored.Dropped > 0 ? $"({monitored.Dropped} events dropped: this monitor fell behind)\n" : string.Empty;
        var method = monitored.Method.Split('.').Last();
        var who = (monitored.Caller, monitored.Key) switch
        {
            ({ Length: > 0 } c, { Length: > 0 } k) => $" by {c} [key {k}]",
            ({ Length: > 0 } c, _) => $" by {c} [unsigned]",
            (_, { Length: > 0 } k) => $" [key {k}]",
            _ => " [unsigned]",
        };
        var what = monitored.Name.Length > 0 ? " " + monitored.Name : string.Empty;
        var time = monitored.Time.ToDateTimeOffset().ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var outcome = monitored.Kind == MonitorEvent.Types.Kind.CallStarted
            ? "started"
            : $"{monitored.Status} in {monitored.Duration.ToTimeSpan().TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms" + (monitored.Detail.Length > 0 ? $" ({monitored.Detail})" : string.Empty);
        var values = monitored.Values.Count > 0 ? " {" + string.Join(", ", monitored.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")) + "}" : string.Empty;
        return $"{dropped}{time} {method}{what}{who} from {monitored.Peer}: {outcome}{values}";
    }
}
