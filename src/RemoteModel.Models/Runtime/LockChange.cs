using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>What a lock request got: the lock as held (or released), or why not.</summary>
internal readonly record struct LockAnswer(LockInfo? Lock, string? Refusal);

/// <summary>What happened to a model's lock.</summary>
internal enum LockChangeKind
{
    /// <summary>Someone took it.</summary>
    Taken,

    /// <summary>Its holder released it (or its holding stream ended).</summary>
    Released,

    /// <summary>An admin broke someone else's lock.</summary>
    Broken,

    /// <summary>A lease ran out without renewal.</summary>
    Lapsed,
}

/// <summary>One change of a model's lock: which lock, who did it, and in words how.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Lock">The lock taken, or the one that ended.</param>
/// <param name="By">Who did it: the holder, or the admin who broke it.</param>
/// <param name="Note">How: "as a lease of 10 s", "its HoldLock stream ended", "broken by ...".</param>
internal sealed record LockChange(LockChangeKind Kind, LockInfo Lock, string By, string Note);
