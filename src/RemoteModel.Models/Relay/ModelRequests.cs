using Google.Protobuf;

namespace RemoteModel.Models.V1;

/// <summary>A request that names the model it is for: what a relay changes before passing it to its source.</summary>
internal interface IModelRequest<T> : IMessage<T>, IDeepCloneable<T>
    where T : IModelRequest<T>
{
    string Model { get; set; }
}

/// <summary>Generated from protos/remotemodel/v1/model.proto; named here as a request a relay passes on.</summary>
public sealed partial class ModifyRequest : IModelRequest<ModifyRequest>;

/// <summary>Generated from protos/remotemodel/v1/model.proto; named here as a request a relay passes on.</summary>
public sealed partial class InvokeRequest : IModelRequest<InvokeRequest>;

/// <summary>Generated from protos/remotemodel/v1/model.proto; named here as a request a relay passes on.</summary>
public sealed partial class LockRequest : IModelRequest<LockRequest>;

/// <summary>Generated from protos/remotemodel/v1/model.proto; named here as a request a relay passes on.</summary>
public sealed partial class UnlockRequest : IModelRequest<UnlockRequest>;
