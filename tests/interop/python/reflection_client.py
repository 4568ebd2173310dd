"""A stock grpcio client that uses the server reflection service as grpcurl does, against an Echo server.

It knows no Echo stubs: it lists the services, fetches the file that defines Echo with every file
that file imports, builds the message classes from those descriptors alone, and calls Echo.Unary
with them. Usage:

    /usr/bin/python3 reflection_client.py --target 127.0.0.1:PORT [--case NAME]

Prints one JSON object per case and line: {"case": ..., "ok": true|false, "detail": ...}.
"""

import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

import case_runner
import protos_loader
from case_runner import expect

PROTOS = protos_loader.load()
RPC_TIMEOUT_SECONDS = 8.0
ECHO = "remotemodel.testing.v1.Echo"
NOT_FOUND = 5
UNIMPLEMENTED = 12


def reflect(channel, requests, alpha=False):
    """Sends the requests on one ServerReflectionInfo stream; returns the answers, in order."""
    module = PROTOS.reflection_alpha_pb2_grpc if alpha else PROTOS.reflection_pb2_grpc
    stub = module.ServerReflectionStub(channel)
    return list(stub.ServerReflectionInfo(iter(requests), timeout=RPC_TIMEOUT_SECONDS))


def request(alpha=False, **fields):
    module = PROTOS.reflection_alpha_pb2 if alpha else PROTOS.reflection_pb2
    return module.ServerReflectionRequest(host="localhost", **fields)


def pool_of(file_protos):
    """A descriptor pool of the given serialized FileDescriptorProtos, each added once its imports are."""
    files = [descriptor_pb2.FileDescriptorProto.FromString(data) for data in file_protos]
    pool = descriptor_pool.DescriptorPool()
    added = set()
    while files:
        ready = [f for f in files if all(d in added for d in f.dependency)]
        expect(ready, "the answer lacks files that others import: %s" % sorted({d for f in files for d in f.dependency} - added))
        for f in ready:
            pool.Add(f)
            added.add(f.name)
            files.remove(f)
    return pool, added


class Cases:
    def __init__(self, target):
        self.target = target

    def _channel(self):
        return grpc.insecure_channel(self.target)

    def list_services(self):
        with self._channel() as channel:
            answer = reflect(channel, [request(list_services="")])[0]
        names = [s.name for s in answer.list_services_response.service]
        for expected in (ECHO, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"):
            expect(expected in names, "list_services lacks %s: %s" % (expected, names))
        # grpc-dotnet's reflection service (Grpc.Reflection) leaves valid_host and original_request
        # empty in its answers; a client such as grpcurl needs neither.
        return ", ".join(names)

    def describe_and_call(self):
        with self._channel() as channel:
            answer = reflect(channel, [request(file_containing_symbol=ECHO)])[0]
            protos = answer.file_descriptor_response.file_descriptor_proto
            pool, names = pool_of(protos)
            service = pool.FindServiceByName(ECHO)
            method = service.FindMethodByName("Unary")
            factory = message_factory.MessageFactory(pool)
            request_class = factory.GetPrototype(method.input_type)
            reply_class = factory.GetPrototype(method.output_type)
            call = channel.unary_unary("/%s/Unary" % ECHO, request_serializer=request_class.SerializeToString,
                                       response_deserializer=reply_class.FromString)
            reply = call(request_class(payload=b"reflected"), timeout=RPC_TIMEOUT_SECONDS)
        expect(reply.payload == b"reflected", "Unary through reflected types answered %r" % reply)
        methods = [m.name for m in service.methods]
        expect({"Unary", "Stream", "Stats"} <= set(methods), "Echo's methods: %s" % methods)
        expect(pool.FindMethodByName(ECHO + ".Stream").output_type.full_name == "remotemodel.testing.v1.EchoReply",
               "Stream's output type is wrong")
        return "files %s; methods %s; Unary answered through reflected types" % (sorted(names), methods)

    def by_filename_and_dependencies_once_a_stream(self):
        with self._channel() as channel:
            first, again = reflect(channel, [
                request(file_by_filename="remotemodel/testing/v1/echo.proto"),
                request(file_containing_symbol="remotemodel.testing.v1.EchoRequest"),
            ])
        sent = [descriptor_pb2.FileDescriptorProto.FromString(d).name for d in first.file_descriptor_response.file_descriptor_proto]
        expect(sent[:1] == ["remotemodel/testing/v1/echo.proto"], "file_by_filename answered %s" % sent)
        resent = [descriptor_pb2.FileDescriptorProto.FromString(d).name for d in again.file_descriptor_response.file_descriptor_proto]
        expect(resent == ["remotemodel/testing/v1/echo.proto"], "the second answer on the stream carried %s" % resent)
        return "first %s, then %s" % (sent, resent)

    def unknown_names_are_not_found_and_the_stream_goes_on(self):
        with self._channel() as channel:
            answers = reflect(channel, [
                request(file_containing_symbol="no.such.Symbol"),
                request(file_by_filename="no/such.proto"),
                request(all_extension_numbers_of_type="no.such.Message"),
                request(file_containing_extension=PROTOS.reflection_pb2.ExtensionRequest(containing_type="x.Y", extension_number=7)),
                request(),
                request(list_services=""),
            ])
        codes = [a.error_response.error_code for a in answers[:5]]
        # grpc-dotnet's reflection service (Grpc.Reflection) answers UNIMPLEMENTED to the extension
        # requests and to a request that asks nothing, whatever the names: it serves no extensions.
        expect(codes == [NOT_FOUND, NOT_FOUND, UNIMPLEMENTED, UNIMPLEMENTED, UNIMPLEMENTED], "error codes %s" % codes)
        # grpc-dotnet's reflection service says "Symbol not found." without naming the symbol.
        expect(answers[0].error_response.error_message, "NOT_FOUND came without a message")
        expect(len(answers[5].list_services_response.service) > 0, "the stream did not go on after the errors")
        return "; ".join(a.error_response.error_message for a in answers[:5])

    def extension_numbers_of_a_proto3_message(self):
        # grpc-dotnet's reflection service (Grpc.Reflection) does not list extension numbers, not
        # even the none of a proto3 message: it answers UNIMPLEMENTED in the stream, which goes on.
        with self._channel() as channel:
            answer, listed = reflect(channel, [
                request(all_extension_numbers_of_type="remotemodel.testing.v1.EchoRequest"),
                request(list_services=""),
            ])
        expect(answer.error_response.error_code == UNIMPLEMENTED, "answered %r" % answer)
        expect(len(listed.list_services_response.service) > 0, "the stream did not go on after the error")
        return "UNIMPLEMENTED: %s" % answer.error_response.error_message

    def v1alpha(self):
        with self._channel() as channel:
            listed, described = reflect(channel, [request(alpha=True, list_services=""), request(alpha=True, file_containing_symbol=ECHO + ".Unary")], alpha=True)
        names = [s.name for s in listed.list_services_response.service]
        expect(ECHO in names, "v1alpha list_services lacks Echo: %s" % names)
        pool, _ = pool_of(described.file_descriptor_response.file_descriptor_proto)
        expect(pool.FindMethodByName(ECHO + ".Unary").input_type.name == "EchoRequest", "v1alpha described Unary wrongly")
        return "v1alpha lists and describes as v1 does"


CASE_NAMES = (
    "list_services", "describe_and_call", "by_filename_and_dependencies_once_a_stream",
    "unknown_names_are_not_found_and_the_stream_goes_on", "extension_numbers_of_a_proto3_message", "v1alpha",
)


def main(argv=None):
    return case_runner.main(argv, __doc__.splitlines()[0], "HOST:PORT of the Echo server", CASE_NAMES, Cases)


if __name__ == "__main__":
    sys.exit(main())
