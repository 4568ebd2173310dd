namespace RemoteModel.Naming.Server;

/// <summary>What a caller asks of the name server, for the authorization check.</summary>
public enum RegistryAction
{
    /// <summary>Lookup, list, watch.</summary>
    Read,

    /// <summary>Register, hold, keep alive.</summary>
    Register,

    /// <summary>End one's own registration.</summary>
    Unregister,

    /// <summary>Remove any registration by name: an administrator's action.</summary>
    Remove,
}
