namespace RemoteModel.Models.Server;

/// <summary>What a caller asks of a model, for the authorization check.</summary>
public enum ModelAction
{
    /// <summary>ListModels, Describe, Query, ListViewers, History.</summary>
    Read,

    /// <summary>Subscribe.</summary>
    Subscribe,

    /// <summary>Modify.</summary>
    Modify,

    /// <summary>Invoke (lifecycle transitions included).</summary>
    Invoke,

    /// <summary>SetStreamRate.</summary>
    SetStreamRate,

    /// <summary>Lock, HoldLock, and Unlock of one's own lock.</summary>
    Lock,

    /// <summary>Unlock with force: breaking someone else's lock.</summary>
    BreakLock,
}
