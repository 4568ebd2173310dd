namespace RemoteModel.Transport;

/// <summary>The gRPC status codes, with the numbers the wire uses (doc/statuscodes.md in grpc/grpc).</summary>
public enum StatusCode
{
    /// <summary>Not an error.</summary>
    OK = 0,
    /// <summary>The operation was cancelled, typically by the caller.</summary>
    Cancelled = 1,
    /// <summary>An error with no better code, such as an unexpected exception in a handler.</summary>
    Unknown = 2,
    /// <summary>The caller sent an argument that is invalid whatever the state of the system.</summary>
    InvalidArgument = 3,
    /// <summary>The deadline passed before the operation completed.</summary>
    DeadlineExceeded = 4,
    /// <summary>A requested entity (a name, a model) was not found.</summary>
    NotFound = 5,
    /// <summary>The entity the caller tried to create already exists.</summary>
    AlreadyExists = 6,
    /// <summary>The caller is known but lacks the permission for this operation.</summary>
    PermissionDenied = 7,
    /// <summary>A resource, such as a message size limit, has been exhausted.</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in the state the operation requires.</summary>
    FailedPrecondition = 9,
    /// <summary>The operation was aborted, typically by a concurrency conflict.</summary>
    Aborted = 10,
    /// <summary>The operation was attempted past the valid range.</summary>
    OutOfRange = 11,
    /// <summary>The operation is not implemented or supported by this server.</summary>
    Unimplemented = 12,
    /// <summary>An invariant the system relies on was broken.</summary>
    Internal = 13,
    /// <summary>The service is currently unavailable; retrying may succeed.</summary>
    Unavailable = 14,
    /// <summary>Unrecoverable data loss or corruption.</summary>
    DataLoss = 15,
    /// <summary>The caller has no valid authentication credentials.</summary>
    Unauthenticated = 16,
}
