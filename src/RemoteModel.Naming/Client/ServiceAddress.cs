using Grpc.Core;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Client;

/// <summary>
/// Where a client connects: directly (<c>http://host:port</c>, <c>https://host:port</c>,
/// <c>unix:/path</c>) or by name through a name server (<c>name:ticker</c> or
/// <c>name:ticker@nshost:9090</c>, in the spirit of Pyro's <c>PYRONAME:</c>), resolved again at
/// every (re)connect so a server that moved is found where it is now.
/// </summary>
public sealed record ServiceAddress
{
    private const string NameScheme = "name:";

    private ServiceAddress(string? direct, string? name, string? nameServer)
    {
        Direct = direct;
        Name = name;
        NameServer = nameServer;
    }

    /// <summary>The direct address, or null for a by-name address.</summary>
    public string? Direct { get; }

    /// <summary>The registry name, or null for a direct address.</summary>
    public string? Name { get; }

    /// <summary>The name server named in the address (after '@'), or null for the usual one.</summary>
    public string? NameServer { get; }

    /// <summary>
    /// Reads an address. A bare name (<c>ticker</c>, <c>lab1/stage/x</c>) is taken as by-name.
    /// </summary>
    /// <exception cref="FormatException">Neither a direct address nor a valid name.</exception>
    public static ServiceAddress Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (text.StartsWith("http://", StringComparison.Ordinal) || text.StartsWith("https://", StringComparison.Ordinal)
            || text.StartsWith("unix:", StringComparison.Ordinal))
        {
            return new ServiceAddress(text, null, null);
        }

        var rest = text.StartsWith(NameScheme, StringComparison.Ordinal) ? text[NameScheme.Length..] : text;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? rest : rest[..at];
        var nameServer = at < 0 ? null : rest[(at + 1)..];
        if (NameRules.Problem(name) is { } problem)
        {
            throw new FormatException(
                $"'{text}' is not an address: use http://host:port, unix:/path, or name:NAME[@nameserver:port]; {NameRules.Explain(name, problem)}");
        }

        return new ServiceAddress(null, name, string.IsNullOrEmpty(nameServer) ? null : nameServer);
    }

    /// <summary>The endpoint to connect to now: the direct address, or the first endpoint the name server gives.</summary>
    public async Task<string> ResolveAsync(string? nameServer = null, CancellationToken cancellationToken = default)
    {
        if (Direct is not null)
        {
            return Direct;
        }

        using var channel = await NameServerLocator.ConnectAsync(NameServer ?? nameServer, cancellationToken: cancellationToken);
        var registration = await new NamingClient(channel).LookupAsync(Name!, options: new CallOptions(cancellationToken: cancellationToken));
        return registration.Endpoints.FirstOrDefault()
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"'{Name}' is registered without an endpoint."));
    }

    /// <inheritdoc />
    public override string ToString() => Direct ?? (NameServer is null ? NameScheme + Name : $"{NameScheme}{Name}@{NameServer}");
}
