namespace RemoteModel.Models;

/// <summary>
/// Why a model refused a request. Numbered as the protocol's status codes (the gRPC codes), which
/// audit records carry; the model service answers each with the status of the same name.
/// </summary>
public enum ModelErrorReason
{
    /// <summary>The model failed in a way it did not explain (an exception of its own).</summary>
    Unknown = 2,

    /// <summary>A value, argument or name is malformed or of the wrong type, or the property is read-only.</summary>
    InvalidArgument = 3,

    /// <summary>No such property, operation or stream.</summary>
    NotFound = 5,

    /// <summary>A viewer of that name is subscribed already.</summary>
    AlreadyExists = 6,

    /// <summary>The caller may not do this.</summary>
    PermissionDenied = 7,

    /// <summary>A limit is reached (the most viewers a model takes).</summary>
    ResourceExhausted = 8,

    /// <summary>Not allowed in the model's current state.</summary>
    FailedPrecondition = 9,

    /// <summary>The model moved on: the expected version is stale.</summary>
    Aborted = 10,

    /// <summary>A value is outside its declared or representable range.</summary>
    OutOfRange = 11,

    /// <summary>The model does not implement what was asked.</summary>
    Unimplemented = 12,
}
