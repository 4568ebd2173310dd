using System.Text.RegularExpressions;
using RemoteModel.Naming.V1;
using Grpc.Core;

namespace RemoteModel.Naming.Server;

/// <summary>Decides which registrations a <see cref="Selector"/> chooses: prefix, pattern, kind, tags and metadata.</summary>
internal sealed class SelectorMatcher
{
    private readonly Selector _selector;
    private readonly Regex? _pattern;

    public SelectorMatcher(Selector? selector, TimeSpan patternTimeout)
    {
        _selector = selector ?? new Selector();
        if (_selector.Pattern.Length > 0)
        {
            try
            {
                _pattern = new Regex($"^(?:{_selector.Pattern})$", RegexOptions.CultureInvariant, patternTimeout);
            }
            catch (ArgumentException ex)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"The pattern '{_selector.Pattern}' is not a valid regular expression: {ex.Message}"));
            }
        }
    }

    /// <summary>What the store is asked for; everything else is filtered here.</summary>
    public string Prefix => _selector.Prefix;

    public bool Matches(Registration registration)
    {
        if (!registration.Name.StartsWith(_selector.Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        if (_selector.Kind.Length > 0 && registration.Kind != _selector.Kind)
        {
            return false;
        }

        if (_selector.Tags.Any(tag => !registration.Tags.Contains(tag)))
        {
            return false;
        }

        if (_selector.MetadataAll.Any(pair => !registration.Metadata.TryGetValue(pair.Key, out var value) || value != pair.Value))
        {
            return false;
        }

        if (_selector.MetadataAny.Count > 0
            && !_selector.MetadataAny.Any(pair => registration.Metadata.TryGetValue(pair.Key, out var value) && value == pair.Value))
        {
            return false;
        }

        try
        {
            return _pattern?.IsMatch(registration.Name) ?? true;
        }
        catch (RegexMatchTimeoutException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The pattern '{_selector.Pattern}' takes too long to match; simplify it."));
        }
    }
}
