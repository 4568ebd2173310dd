using RemoteModel.Naming;
using RemoteModel.Naming.Client;

namespace RemoteModel.Models.Relay;

/// <summary>
/// The model a relay mirrors: by name through the name server (<c>ticker</c>,
/// <c>name:ticker@nshost:9090</c>), found again at every reconnect, or at a direct address with the
/// model's name as its path (<c>http://lab-7:9191/ticker</c>).
/// </summary>
public sealed record RelaySource
{
    private readonly string _text;

    private RelaySource(string text, ServiceAddress address, string model)
    {
        _text = text;
        Address = address;
        Model = model;
    }

    /// <summary>Where the source model is served.</summary>
    public ServiceAddress Address { get; }

    /// <summary>The model's name at its server.</summary>
    public string Model { get; }

    /// <summary>Reads a source: a name, or <c>http(s)://host:port/MODEL</c>.</summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static RelaySource Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (text.StartsWith("http://", StringComparison.Ordinal) || text.StartsWith("https://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.AbsolutePath.Trim('/') is not { Length: > 0 } model
                || NameRules.Problem(model) is not null)
            {
                throw new FormatException($"'{text}' is not a relay source: a direct source names the model as its path, as in http://lab-7:9191/ticker.");
            }

            return new RelaySource(text, ServiceAddress.Parse(uri.GetLeftPart(UriPartial.Authority)), model);
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not a relay source: name the model (ticker, name:ticker@nshost:9090) or give http(s)://host:port/MODEL.");
        }

        var address = ServiceAddress.Parse(text);
        return new RelaySource(text, address, address.Name!);
    }

    /// <inheritdoc />
    public override string ToString() => _text;
}
