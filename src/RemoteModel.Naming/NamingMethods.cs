using RemoteModel.Naming.V1;
using RemoteModel.Transport;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace RemoteModel.Naming;

/// <summary>The methods of <c>remotemodel.v1.Naming</c>, taken from its descriptor.</summary>
public static class NamingMethods
{
    private static readonly ServiceDescriptor Service = NamingReflection.Descriptor.Services.Single(s => s.Name == "Naming");

    /// <summary>The service's full name.</summary>
    public static readonly string ServiceName = Service.FullName;

    /// <summary>Register under a TTL lease (or statically).</summary>
    public static readonly Method<RegisterRequest, RegisterResponse> Register = Method<RegisterRequest, RegisterResponse>.Create(Service, "Register");

    /// <summary>Register and hold while the stream is open.</summary>
    public static readonly Method<RegisterRequest, HoldEvent> Hold = Method<RegisterRequest, HoldEvent>.Create(Service, "Hold");

    /// <summary>Renew a lease.</summary>
    public static readonly Method<KeepAliveRequest, KeepAliveResponse> KeepAlive = Method<KeepAliveRequest, KeepAliveResponse>.Create(Service, "KeepAlive");

    /// <summary>End a held registration by its lease.</summary>
    public static readonly Method<UnregisterRequest, UnregisterResponse> Unregister = Method<UnregisterRequest, UnregisterResponse>.Create(Service, "Unregister");

    /// <summary>Remove any registration by name.</summary>
    public static readonly Method<RemoveRequest, RemoveResponse> Remove = Method<RemoveRequest, RemoveResponse>.Create(Service, "Remove");

    /// <summary>Find one registration by name.</summary>
    public static readonly Method<LookupRequest, LookupResponse> Lookup = Method<LookupRequest, LookupResponse>.Create(Service, "Lookup");

    /// <summary>List registrations by selector.</summary>
    public static readonly Method<ListRequest, ListResponse> List = Method<ListRequest, ListResponse>.Create(Service, "List");

    /// <summary>Watch registrations change.</summary>
    public static readonly Method<WatchRequest, WatchEvent> Watch = Method<WatchRequest, WatchEvent>.Create(Service, "Watch");

    /// <summary>Is the name server there.</summary>
    public static readonly Method<PingRequest, PingResponse> Ping = Method<PingRequest, PingResponse>.Create(Service, "Ping");
}
