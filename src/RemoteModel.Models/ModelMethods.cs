using RemoteModel.Models.V1;
using RemoteModel.Transport;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace RemoteModel.Models;

/// <summary>The methods of <c>remotemodel.v1.Model</c>, taken from its descriptor.</summary>
public static class ModelMethods
{
    private static readonly ServiceDescriptor Service = ModelReflection.Descriptor.Services.Single(s => s.Name == "Model");

    /// <summary>The service's full name.</summary>
    public static readonly string ServiceName = Service.FullName;

    /// <summary>The models a server hosts.</summary>
    public static readonly Method<ListModelsRequest, ListModelsResponse> ListModels = Method<ListModelsRequest, ListModelsResponse>.Create(Service, "ListModels");

    /// <summary>A model's schema, lifecycle state and version.</summary>
    public static readonly Method<DescribeRequest, ModelDescription> Describe = Method<DescribeRequest, ModelDescription>.Create(Service, "Describe");

    /// <summary>All or chosen property values.</summary>
    public static readonly Method<QueryRequest, QueryResponse> Query = Method<QueryRequest, QueryResponse>.Create(Service, "Query");

    /// <summary>Several properties at once, atomically.</summary>
    public static readonly Method<ModifyRequest, ModifyResponse> Modify = Method<ModifyRequest, ModifyResponse>.Create(Service, "Modify");

    /// <summary>An operation or lifecycle transition.</summary>
    public static readonly Method<InvokeRequest, InvokeResponse> Invoke = Method<InvokeRequest, InvokeResponse>.Create(Service, "Invoke");

    /// <summary>A snapshot, then every change.</summary>
    public static readonly Method<SubscribeRequest, Notification> Subscribe = Method<SubscribeRequest, Notification>.Create(Service, "Subscribe");

    /// <summary>The viewers of a model.</summary>
    public static readonly Method<ListViewersRequest, ListViewersResponse> ListViewers = Method<ListViewersRequest, ListViewersResponse>.Create(Service, "ListViewers");

    /// <summary>Recent modifies and invocations.</summary>
    public static readonly Method<HistoryRequest, HistoryResponse> History = Method<HistoryRequest, HistoryResponse>.Create(Service, "History");

    /// <summary>Enable, disable or re-rate a periodic stream.</summary>
    public static readonly Method<SetStreamRateRequest, SetStreamRateResponse> SetStreamRate = Method<SetStreamRateRequest, SetStreamRateResponse>.Create(Service, "SetStreamRate");
}
