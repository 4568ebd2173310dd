using RemoteModel.Testing.V1;
using RemoteModel.Transport;

namespace RemoteModel.Testing;

/// <summary>The methods of <c>remotemodel.testing.v1.Echo</c>, from its descriptor.</summary>
public static class EchoMethods
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = EchoReflection.Descriptor.Services[0];

    public static readonly string ServiceName = Service.FullName;
    public static readonly Method<EchoRequest, EchoReply> Unary = Method<EchoRequest, EchoReply>.Create(Service, "Unary");
    public static readonly Method<StreamRequest, EchoReply> Stream = Method<StreamRequest, EchoReply>.Create(Service, "Stream");
    public static readonly Method<StatsRequest, StatsReply> Stats = Method<StatsRequest, StatsReply>.Create(Service, "Stats");

    /// <summary>A method of the echo service that no server binds.</summary>
    public static readonly Method<EchoRequest, EchoReply> Unimplemented = Method<EchoRequest, EchoReply>.Create(Service, "Unimplemented");

    /// <summary>A method of a service that no server serves.</summary>
    public static readonly Method<EchoRequest, EchoReply> UnservedUnary =
        Method<EchoRequest, EchoReply>.Create(EchoReflection.Descriptor.Services[1], "Unary");
}
