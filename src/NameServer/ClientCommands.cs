using System.CommandLine;
using Google.Protobuf;
using RemoteModel.Hosting;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Security.Keys;
using Grpc.Core;
using RemoteModel.Grpc.Client;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.NameServer;

/// <summary>
/// The command-line client, in the spirit of pyro4-nsc: a table for people, <c>--json</c> (one
/// object per line) for scripts. Exit codes: 0 done, 1 refused or not found, 3 no name server.
/// </summary>
internal static class ClientCommands
{
    public const int Refused = 1;
    public const int Unreachable = 3;

    private static readonly Option<string?> NameServerOption = new("--ns")
    {
        Description = $"The name server (default: ${NameServerLocator.EnvironmentVariable} or {NameServerLocator.DefaultAddress}).",
        Recursive = true,
    };

    private static readonly Option<bool> JsonOption = new("--json") { Description = "One JSON object per line, for scripts.", Recursive = true };

    public static IEnumerable<Option> GlobalOptions => [NameServerOption, JsonOption];

    public static IEnumerable<Command> Create() => [List(), Lookup(), Watch(), Remove(), Ping(), Register(), MonitorCommand.Create(NameServerOption, JsonOption)];

    private static Command List()
    {
        var prefix = new Argument<string>("prefix") { Description = "Only names starting with this.", DefaultValueFactory = _ => string.Empty };
        var pattern = new Option<string?>("--pattern") { Description = "Only names matching this regular expression (whole name)." };
        var kind = new Option<string?>("--kind") { Description = "Only registrations of this kind (model, viewer, ...)." };
        var metadata = new Option<string[]>("--meta") { Description = "Only registrations with this key=value (repeatable; all must match)." };
        var anyMetadata = new Option<string[]>("--any-meta") { Description = "Only registrations with at least one of these key=value." };
        var command = new Command("list", "List registrations.") { prefix, pattern, kind, metadata, anyMetadata };
        command.SetAction((result, token) => WithClientAsync(result, async (client, address) =>
        {
            var selector = new Selector { Prefix = result.GetValue(prefix) ?? string.Empty, Pattern = result.GetValue(pattern) ?? string.Empty, Kind = result.GetValue(kind) ?? string.Empty };
            AddPairs(selector.MetadataAll, result.GetValue(metadata));
            AddPairs(selector.MetadataAny, result.GetValue(anyMetadata));
            var list = await client.ListAsync(selector, new CallOptions(cancellationToken: token));
            if (result.GetValue(JsonOption))
            {
                foreach (var registration in list.Registrations)
                {
                    Console.WriteLine(JsonFormatter.Default.Format(registration));
                }
            }
            else
            {
                RegistrationTable.Write(Console.Out, list.Registrations);
            }

            return 0;
        }));
        return command;
    }

    private static Command Lookup()
    {
        var name = new Argument<string>("name") { Description = "The name to find." };
        var wait = new Option<TimeSpan?>("--wait") { Description = "Wait up to this long (e.g. 00:00:10) for the name to appear." };
        var command = new Command("lookup", "Show one registration.") { name, wait };
        command.SetAction((result, token) => WithClientAsync(result, async (client, address) =>
        {
            var registration = await client.LookupAsync(result.GetValue(name)!, result.GetValue(wait), new CallOptions(cancellationToken: token));
            Console.WriteLine(result.GetValue(JsonOption) ? JsonFormatter.Default.Format(registration) : RegistrationTable.Describe(registration));
            return 0;
        }));
        return command;
    }

    private static Command Watch()
    {
        var prefix = new Argument<string>("prefix") { Description = "Only names starting with this.", DefaultValueFactory = _ => string.Empty };
        var command = new Command("watch", "Show registrations, then every change, until Ctrl+C.") { prefix };
        command.SetAction((result, token) => WithClientAsync(result, async (client, address) =>
        {
            using var shutdown = new ShutdownSignal(token);
            using var call = client.Watch(new Selector { Prefix = result.GetValue(prefix) ?? string.Empty });
            try
            {
                await foreach (var change in call.ResponseStream.ReadAllAsync(shutdown.Token))
                {
                    Console.WriteLine(result.GetValue(JsonOption) ? JsonFormatter.Default.Format(change) : RegistrationTable.Describe(change));
                }
            }
            catch (RpcException) when (shutdown.Token.IsCancellationRequested)
            {
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The name to remove." };
        var command = new Command("remove", "Remove a registration by name (leased or static).") { name };
        command.SetAction((result, token) => WithClientAsync(result, async (client, address) =>
        {
            var removed = await client.RemoveAsync(result.GetValue(name)!, new CallOptions(cancellationToken: token));
            Console.WriteLine(result.GetValue(JsonOption) ? $"{{\"removed\": {(removed ? "true" : "false")}}}" : removed ? "removed" : "not registered");
            return removed ? 0 : Refused;
        }));
        return command;
    }

    private static Command Ping()
    {
        var command = new Command("ping", "Check that the name server answers.");
        command.SetAction((result, token) => WithClientAsync(result, async (client, address) =>
        {
            var pong = await client.PingAsync(new CallOptions(cancellationToken: token));
            Console.WriteLine(result.GetValue(JsonOption) ? JsonFormatter.Default.Format(pong) : $"name server {pong.Server} (version {pong.Version}) at {address} answers");
            return 0;
        }));
        return command;
    }

    private static Command Register()
    {
        var name = new Argument<string>("name") { Description = "The name to register." };
        var endpoints = new Argument<string[]>("endpoint") { Description = "Where it is reached: http://host:port, unix:/path.", Arity = ArgumentArity.ZeroOrMore };
        var kind = new Option<string>("--kind") { Description = "What it is.", DefaultValueFactory = _ => "model" };
        var metadata = new Option<string[]>("--meta") { Description = "key=value (repeatable)." };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "Lease TTL (e.g. 00:00:30); 00:00:00 registers statically (kept across restarts)." };
        var hold = new Option<bool>("--hold") { Description = "Hold the registration until this command ends (Ctrl+C, kill): it drops out by itself." };
        var safe = new Option<bool>("--safe") { Description = "Refuse to replace a live registration of the same name." };
        var command = new Command("register", "Register a name (statically, with a TTL, or held).") { name, endpoints, kind, metadata, ttl, hold, safe };
        command.SetAction((result, token) => WithClientAsync(result, async (client, address) =>
        {
            var registration = new Registration { Name = result.GetValue(name)!, Kind = result.GetValue(kind)!, Endpoints = { result.GetValue(endpoints) ?? [] } };
            AddPairs(registration.Metadata, result.GetValue(metadata));
            if (!result.GetValue(hold))
            {
                var stored = await client.RegisterAsync(registration, result.GetValue(ttl) ?? TimeSpan.Zero, result.GetValue(safe), new CallOptions(cancellationToken: token));
                Console.WriteLine(result.GetValue(JsonOption) ? JsonFormatter.Default.Format(stored) : RegistrationTable.Describe(stored));
                return 0;
            }

            // Held by the same keeper model servers use: re-registered if the name server comes back.
            var json = result.GetValue(JsonOption);
            await using var keeper = new RegistrationKeeper(registration, address)
            {
                OnHeld = held => Console.WriteLine(json ? JsonFormatter.Default.Format(held) : $"holding {RegistrationTable.Describe(held)} (Ctrl+C to end)"),
            };
            keeper.Start();
            using var shutdown = new ShutdownSignal(token);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, shutdown.Token);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        }));
        return command;
    }

    private static async Task<int> WithClientAsync(ParseResult result, Func<NamingClient, string, Task<int>> action)
    {
        SignedChannel? channel = null;
        try
        {
            channel = await NameServerLocator.ConnectAsync(result.GetValue(NameServerOption));
            return await action(new NamingClient(channel), channel.Target);
        }
        catch (NameServerUnreachableException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return Unreachable;
        }
        catch (KeyringException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return Refused;
        }
        catch (RpcException ex)
        {
            Console.Error.WriteLine($"{ex.Status.StatusCode}: {ex.Status.Detail}");
            return ex.StatusCode == StatusCode.Unavailable ? Unreachable : Refused;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        finally
        {
            channel?.Dispose();
        }
    }

    private static void AddPairs(Google.Protobuf.Collections.MapField<string, string> map, string[]? pairs)
    {
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"'{pair}' is not key=value.");
            }

            map[pair[..equals]] = pair[(equals + 1)..];
        }
    }
}
