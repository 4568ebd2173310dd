using System.Buffers;
using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Monitoring;

namespace RemoteModel.Grpc.Server;

/// <summary>
/// Serves the unary and server-streaming methods of a service derived from a protoc-generated
/// base with the call checked first: the <see cref="CallVerifier"/> in the container (if any)
/// sees the request's exact bytes as they arrived before the handler runs, and the answers of a
/// verified call are sealed, the end of the call included. Streams end with UNAVAILABLE when the
/// server stops. Methods of other kinds are left to grpc-dotnet's own binding.
/// </summary>
internal sealed class AuthenticatedMethodProvider<TService>(IServiceProvider services) : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var bind = FindBindMethod(typeof(TService))
            ?? throw new InvalidOperationException($"{typeof(TService)} does not derive from a protoc-generated service base, so it cannot be served as an authenticated service.");
        var binder = new Binder(context, services.GetService<CallVerifier>(), services.GetRequiredService<ServerStopping>(), services.GetService<CallMonitor>(), bind.GetParameters()[1].ParameterType);
        bind.Invoke(null, [binder, null]);
    }

    private static MethodInfo? FindBindMethod(Type serviceType)
    {
        for (var type = serviceType; type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
            {
                return attribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                    .SingleOrDefault(m => m.Name == attribute.BindMethodName && m.GetParameters() is [{ ParameterType: var first }, _] && first == typeof(ServiceBinderBase));
            }
        }

        return null;
    }

    /// <summary>grpc-dotnet's answer to a unary handler that returned null.</summary>
    private static readonly Status NoMessageReturned = new(StatusCode.Cancelled, "No message returned from method.");

    private sealed class Binder(ServiceMethodProviderContext<TService> context, CallVerifier? verifier, ServerStopping stopping, CallMonitor? monitor, Type serviceBase)
        : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoke, metadata) = Handler<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext));
            // An unobserved call is the handler's own task: no second async frame for it to keep.
            context.AddUnaryMethod(WireMethod(method), metadata, (service, request, call) =>
                monitor?.Begin(call, request.Message) is { } observed ? ObserveAsync(service, request, call, observed) : ServeAsync(service, request, call));

            async Task<OutgoingResponse<TResponse>> ObserveAsync(TService service, ReceivedRequest<TRequest> request, ServerCallContext call, CallMonitor.ObservedCall observed)
            {
                try
                {
                    var response = await ServeAsync(service, request, call).ConfigureAwait(false);
                    observed.Ended(call.Status);
                    return response;
                }
                catch (Exception ex)
                {
                    observed.Failed(ex);
                    throw;
                }
            }

            async Task<OutgoingResponse<TResponse>> ServeAsync(TService service, ReceivedRequest<TRequest> request, ServerCallContext call)
            {
                var sealer = Verify(call, request.Bytes);
                TResponse? response;
                try
                {
                    response = await invoke(service, request.Message, call).ConfigureAwait(false);
                }
                catch (RpcException ex) when (sealer is not null)
                {
                    throw Sealed(ex, sealer);
                }

                if (response is null)
                {
                    throw Sealed(new RpcException(NoMessageReturned), sealer);
                }

                if (call.Status.StatusCode != StatusCode.OK)
                {
                    // No client hands a failed call's message to its caller, so it is not sent: the
                    // end's seal, which counts the messages sent, then matches what the client read.
                    throw Sealed(new RpcException(call.Status), sealer);
                }

                // The end is sealed after the message, whose seal it counts, once grpc-dotnet has taken the
                // message: one it refuses to send (too large) ends the call with its own error, unsealed,
                // rather than with an OK end sealed in advance that the client would take for an impostor's.
                return new OutgoingResponse<TResponse>(response, sealer, sealer is null ? null : () => sealer.SealEnd(StatusToSend(call), call.ResponseTrailers));
            }
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoke, metadata) = Handler<ServerStreamingServerMethod<TService, TRequest, TResponse>>(
                method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            // An unobserved stream is the handler's own task: an idle subscription keeps no second async frame alive.
            context.AddServerStreamingMethod(WireMethod(method), metadata, (service, request, stream, call) =>
                monitor?.Begin(call, request.Message) is { } observed ? ObserveAsync(service, request, stream, call, observed) : ServeAsync(service, request, stream, call, null));

            async Task ObserveAsync(TService service, ReceivedRequest<TRequest> request, IServerStreamWriter<OutgoingResponse<TResponse>> stream, ServerCallContext call, CallMonitor.ObservedCall observed)
            {
                try
                {
                    await ServeAsync(service, request, stream, call, observed).ConfigureAwait(false);
                    observed.Ended(call.Status);
                }
                catch (Exception ex)
                {
                    observed.Failed(ex);
                    throw;
                }
            }

            async Task ServeAsync(TService service, ReceivedRequest<TRequest> request, IServerStreamWriter<OutgoingResponse<TResponse>> stream, ServerCallContext call, CallMonitor.ObservedCall? observed)
            {
                var sealer = Verify(call, request.Bytes);
                observed?.Started();
                using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(call.CancellationToken, stopping.Token);
                try
                {
                    await invoke(service, request.Message, new SealingStreamWriter<TResponse>(stream, sealer), new StoppableCallContext(call, cancellation.Token, stopping.Token))
                        .ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.Token.IsCancellationRequested && !call.CancellationToken.IsCancellationRequested)
                {
                    throw Sealed(new RpcException(new Status(StatusCode.Unavailable, "the server is stopping")), sealer);
                }
                catch (RpcException ex) when (sealer is not null)
                {
                    throw Sealed(ex, sealer);
                }

                if (stopping.Token.IsCancellationRequested && !call.CancellationToken.IsCancellationRequested)
                {
                    // A stream that ended because the server stops did not end well, however its handler returned.
                    throw Sealed(new RpcException(new Status(StatusCode.Unavailable, "the server is stopping")), sealer);
                }

                sealer?.SealEnd(StatusToSend(call), call.ResponseTrailers);
            }
        }

        // Client-streaming and duplex methods are served by grpc-dotnet's own binding, unchecked.
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
        }

        private IResponseSealer? Verify(ServerCallContext call, byte[] request) => verifier?.Verify(call, new ReadOnlySequence<byte>(request));

        /// <summary>
        /// The status grpc-dotnet will send for a handler that returned: the call's own, whose
        /// detail is null unless the handler set one (sent as no grpc-message, which every peer
        /// reads as the empty detail, so the seal covers that).
        /// </summary>
        private static Status StatusToSend(ServerCallContext call) =>
            call.Status.Detail is null ? new Status(call.Status.StatusCode, string.Empty) : call.Status;

        private static RpcException Sealed(RpcException ex, IResponseSealer? sealer)
        {
            if (sealer is null)
            {
                return ex;
            }

            // An exception's own trailers may be the shared empty set, which cannot take the seal.
            var trailers = new Metadata();
            foreach (var entry in ex.Trailers)
            {
                trailers.Add(entry);
            }

            sealer.SealEnd(ex.Status, trailers);
            return new RpcException(ex.Status, trailers, ex.Message);
        }

        private static Method<ReceivedRequest<TRequest>, OutgoingResponse<TResponse>> WireMethod<TRequest, TResponse>(Method<TRequest, TResponse> method)
            where TRequest : class
            where TResponse : class =>
            new(method.Type, method.ServiceName, method.Name,
                ReceivedRequest<TRequest>.MarshallerFor(method.RequestMarshaller),
                OutgoingResponse<TResponse>.MarshallerFor(method.ResponseMarshaller));

        /// <summary>The service's override of the generated method, and the endpoint metadata grpc-dotnet would give it.</summary>
        private (TDelegate Invoke, List<object> Metadata) Handler<TDelegate>(string name, params Type[] parameters)
            where TDelegate : Delegate
        {
            var handler = FindOverride(name, parameters)
                ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
            List<object> metadata = [.. typeof(TService).GetCustomAttributes(inherit: true), .. handler.GetCustomAttributes(inherit: true)];
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            metadata.Add(AuthenticatedMethodMetadata.Instance);
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
        }

        private MethodInfo? FindOverride(string name, Type[] parameters)
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, binder: null, parameters, modifiers: null);
                if (method is null)
                {
                    return null;
                }

                if (method.IsVirtual && method.GetBaseDefinition().DeclaringType == serviceBase)
                {
                    return method;
                }
            }

            return null;
        }
    }
}

/// <summary>Marks the endpoints of an authenticated method, so that grpc-dotnet's plain binding of the same method yields to it.</summary>
internal sealed class AuthenticatedMethodMetadata
{
    public static readonly AuthenticatedMethodMetadata Instance = new();
}
