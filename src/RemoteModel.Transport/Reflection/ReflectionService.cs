using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using RemoteModel.Transport.Server;
using Alpha = Grpc.Reflection.V1Alpha;

namespace RemoteModel.Transport.Reflection;

/// <summary>
/// The standard server reflection service, <c>grpc.reflection.v1</c> and the older
/// <c>grpc.reflection.v1alpha</c>, over the .proto files of the services a server serves: tools such
/// as grpcurl list the services and fetch their descriptors, with every file they import, and need
/// no .proto files of their own. It describes, and serves, nothing else.
/// </summary>
internal sealed class ReflectionService
{
    private static readonly ServiceDescriptor V1Service = ReflectionReflection.Descriptor.Services[0];
    private static readonly ServiceDescriptor AlphaService = Alpha.ReflectionReflection.Descriptor.Services[0];

    private static readonly Method<ServerReflectionRequest, ServerReflectionResponse> V1Method =
        Method<ServerReflectionRequest, ServerReflectionResponse>.Create(V1Service, "ServerReflectionInfo");

    private static readonly Method<Alpha.ServerReflectionRequest, Alpha.ServerReflectionResponse> AlphaMethod =
        Method<Alpha.ServerReflectionRequest, Alpha.ServerReflectionResponse>.Create(AlphaService, "ServerReflectionInfo");

    private readonly IReadOnlyList<string> _services;
    private readonly DescriptorIndex _index;

    /// <summary>Describes <paramref name="services"/> and itself.</summary>
    public ReflectionService(IEnumerable<ServiceDefinition> services)
    {
        var served = services.ToList();
        _services = [.. served.Select(s => s.Name).Append(V1Service.FullName).Append(AlphaService.FullName).Distinct().Order(StringComparer.Ordinal)];
        _index = new DescriptorIndex(served.SelectMany(s => s.Files).Append(V1Service.File).Append(AlphaService.File));
    }

    /// <summary>The two versions of the service, for the server to bind.</summary>
    public IEnumerable<ServiceDefinition> Bind() =>
    [
        ServiceDefinition.CreateBuilder(V1Service.FullName).AddDuplexStreaming(V1Method, ServeAsync).Build(),
        ServiceDefinition.CreateBuilder(AlphaService.FullName).AddDuplexStreaming(AlphaMethod, ServeAsync).Build(),
    ];

    /// <summary>
    /// Answers each request in turn. Both versions carry the same messages on the wire, so the
    /// older one's are read and answered as v1 messages.
    /// </summary>
    private async Task ServeAsync<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, ServerCallContext context)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = requests.Current as ServerReflectionRequest ?? ServerReflectionRequest.Parser.ParseFrom(requests.Current.ToByteString());
            var answer = Answer(request, sent);
            var response = answer as TResponse ?? new TResponse();
            if (!ReferenceEquals(response, answer))
            {
                response.MergeFrom(answer.ToByteString());
            }

            await responses.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private ServerReflectionResponse Answer(ServerReflectionRequest request, HashSet<string> sent)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                response.ListServicesResponse = new ListServiceResponse { Service = { _services.Select(name => new ServiceResponse { Name = name }) } };
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                return Files(response, _index.FileNamed(request.FileByFilename), sent, $"No file '{request.FileByFilename}' is described here.");
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                return Files(response, _index.FileDefining(request.FileContainingSymbol), sent, $"No symbol '{request.FileContainingSymbol}' is described here.");
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                // The files described here are proto3: a message they define has no extensions.
                return _index.IsMessage(request.AllExtensionNumbersOfType)
                    ? WithAnswer(response, new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType })
                    : Error(response, StatusCode.NotFound, $"No message '{request.AllExtensionNumbersOfType}' is described here.");
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = request.FileContainingExtension;
                return Error(response, StatusCode.NotFound, $"No extension {extension.ExtensionNumber} of '{extension.ContainingType}' is described here.");
            default:
                return Error(response, StatusCode.InvalidArgument, "The request asks nothing: set one of its message_request fields.");
        }

        return response;
    }

    /// <summary>The file, then those it imports, directly or not, that this stream has not sent yet.</summary>
    private static ServerReflectionResponse Files(ServerReflectionResponse response, FileDescriptor? file, HashSet<string> sent, string notFound)
    {
        if (file is null)
        {
            return Error(response, StatusCode.NotFound, notFound);
        }

        var files = new FileDescriptorResponse();
        files.FileDescriptorProto.Add(file.SerializedData);
        sent.Add(file.Name);
        var pending = new Stack<FileDescriptor>(file.Dependencies);
        while (pending.TryPop(out var dependency))
        {
            if (sent.Add(dependency.Name))
            {
                files.FileDescriptorProto.Add(dependency.SerializedData);
                foreach (var next in dependency.Dependencies)
                {
                    pending.Push(next);
                }
            }
        }

        response.FileDescriptorResponse = files;
        return response;
    }

    private static ServerReflectionResponse WithAnswer(ServerReflectionResponse response, ExtensionNumberResponse answer)
    {
        response.AllExtensionNumbersResponse = answer;
        return response;
    }

    private static ServerReflectionResponse Error(ServerReflectionResponse response, StatusCode code, string message)
    {
        response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };
        return response;
    }
}
