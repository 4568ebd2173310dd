using System.Collections;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace RemoteModel.Testing;

/// <summary>The outside programs a test may need.</summary>
public enum Peer
{
    PythonGrpc,
    NodeGrpc,
    Pyro4,
    Etcd,

    /// <summary>Linux network namespaces: root and iproute2's <c>ip</c>, for tests with several hosts.</summary>
    NetworkNamespaces,
    /// <summary>Debian's chromium and chromium-driver, for the web view's browser tests.</summary>
    Chromium,

    /// <summary>The one peer CI may lack: no Consul can be installed in this project's environment.</summary>
    Consul,
}

/// <summary>Every <see cref="PeerFactAttribute"/> test of the class needs these peers.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresPeersAttribute(params Peer[] peers) : Attribute
{
    public IReadOnlyList<Peer> Peers { get; } = peers;
}

/// <summary>
/// A fact that needs outside peers, named here or by <see cref="RequiresPeersAttribute"/> on the
/// test class. Where one is missing it is skipped with the reason (and how to install it) shown
/// by the runner, except under CI=true, where it runs and fails.
/// </summary>
[XunitTestCaseDiscoverer("RemoteModel.Testing.PeerFactDiscoverer", "RemoteModel.Testing")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class PeerFactAttribute(params Peer[] peers) : FactAttribute
{
    public IReadOnlyList<Peer> Peers { get; } = peers;
}

/// <summary>The theory counterpart of <see cref="PeerFactAttribute"/> (method-level peers only).</summary>
public sealed class PeerTheoryAttribute : TheoryAttribute
{
    public PeerTheoryAttribute(params Peer[] peers) => Skip = PeerRequirement.SkipReason(peers);
}

public sealed class PeerFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var peers = PeersOf(factAttribute)
            .Concat(testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPeersAttribute)).SelectMany(PeersOf))
            .Distinct();
        yield return new PeerTestCase(
            diagnosticMessageSink,
            discoveryOptions.MethodDisplayOrDefault(),
            discoveryOptions.MethodDisplayOptionsOrDefault(),
            testMethod,
            PeerRequirement.SkipReason(peers));
    }

    private static IEnumerable<Peer> PeersOf(IAttributeInfo attribute) =>
        attribute.GetConstructorArguments().OfType<IEnumerable>().SelectMany(a => a.Cast<Peer>());
}

/// <summary>A test case whose skip reason is decided by which peers this machine has.</summary>
public sealed class PeerTestCase : XunitTestCase
{
    private string? _peerSkipReason;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public PeerTestCase()
    {
    }

    public PeerTestCase(
        IMessageSink diagnosticMessageSink,
        TestMethodDisplay defaultMethodDisplay,
        TestMethodDisplayOptions defaultMethodDisplayOptions,
        ITestMethod testMethod,
        string? peerSkipReason)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
        _peerSkipReason = peerSkipReason;
    }

    protected override string? GetSkipReason(IAttributeInfo factAttribute) =>
        _peerSkipReason ?? base.GetSkipReason(factAttribute);

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("PeerSkipReason", _peerSkipReason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        // Before the base: it may initialise the case, which asks for the skip reason.
        _peerSkipReason = data.GetValue<string>("PeerSkipReason");
        base.Deserialize(data);
    }
}

public static class PeerRequirement
{
    public static string? Problem(Peer peer) => peer switch
    {
        Peer.PythonGrpc => OutsidePeers.PythonGrpc,
        Peer.NodeGrpc => OutsidePeers.NodeGrpc,
        Peer.Pyro4 => OutsidePeers.Pyro4,
        Peer.Etcd => OutsidePeers.Etcd,
        Peer.NetworkNamespaces => OutsidePeers.NetworkNamespaces,
        Peer.Chromium => OutsidePeers.Chromium,
        Peer.Consul => OutsidePeers.Consul,
        _ => throw new ArgumentOutOfRangeException(nameof(peer)),
    };

    /// <summary>Null when the test should run: every peer is there, or CI insists (on all but Consul).</summary>
    public static string? SkipReason(IEnumerable<Peer> peers)
    {
        var problems = peers
            .Where(peer => !OutsidePeers.IsCi || peer == Peer.Consul)
            .Select(Problem).OfType<string>().ToList();
        return problems.Count == 0 ? null : "Outside peer missing: " + string.Join("; ", problems);
    }

    /// <summary>Fails, with the reason, when a peer is missing (under CI, say).</summary>
    public static void Require(params Peer[] peers)
    {
        var problems = peers.Select(Problem).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Outside peer missing: " + string.Join("; ", problems));
        }
    }
}
