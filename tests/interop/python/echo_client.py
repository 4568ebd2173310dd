"""A stock grpcio client that runs the interop case list against an Echo server.

The C# tests launch it against the C# server (and the suite is validated against
echo_server.py). Usage:

    /usr/bin/python3 echo_client.py --target 127.0.0.1:PORT [--case NAME]

Prints one JSON object per case and line: {"case": ..., "ok": true|false, "detail": ...}.
Exit code 0 when every requested case ran (whatever its outcome; the caller asserts per case),
2 on usage errors. Every case runs in its own thread with its own time limit, so one hang is
reported as that case failing instead of hanging the whole run (case_runner.py).
"""

import os
import sys
import time

import grpc

import case_runner
import protos_loader
from case_runner import CaseFailed, expect

PROTOS = protos_loader.load()
echo_pb2 = PROTOS.echo_pb2
health_pb2 = PROTOS.health_pb2

MIB = 1024 * 1024
RPC_TIMEOUT_SECONDS = 8.0
STATS_POLL_SECONDS = 3.0
ECHO_TEXT_VALUE = "hello world"
ECHO_BIN_VALUE = bytes([0x00, 0x01, 0x02, 0xFF])
CRASH_SECRET = "SECRET-INTERNAL-DETAIL"


def expect_error(call_thunk, code, message=None):
    """Runs call_thunk, which must fail with `code` (and `message` when given); returns the error."""
    try:
        result = call_thunk()
    except grpc.RpcError as error:
        got_code, got_message = error.code(), error.details()
        expect(got_code == code, "expected %s, got %s %r" % (code.name, got_code.name, got_message))
        if message is not None:
            expect(got_message == message, "expected message %r, got %r" % (message, got_message))
        return error
    raise CaseFailed("expected %s, got a success: %r" % (code.name, _short(result)))


def _short(value, limit=120):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


class Cases:
    """One method per case; each opens its own channel so one case cannot poison the next."""

    def __init__(self, target):
        self.target = target

    def _channel(self, **options):
        opts = [("grpc.%s" % name, value) for name, value in options.items()]
        return grpc.insecure_channel(self.target, options=opts)

    def _stub(self, channel):
        return PROTOS.echo_pb2_grpc.EchoStub(channel)

    def _stats(self, stub):
        return stub.Stats(echo_pb2.StatsRequest(), timeout=RPC_TIMEOUT_SECONDS)

    def _wait_for_stats(self, stub, rose, what):
        """Polls Stats until rose(stats) holds; the server must have noticed within 3 s."""
        deadline = time.monotonic() + STATS_POLL_SECONDS
        while True:
            stats = self._stats(stub)
            if rose(stats):
                return stats
            if time.monotonic() >= deadline:
                raise CaseFailed("server did not notice %s within %.0f s; stats: %s"
                                 % (what, STATS_POLL_SECONDS, _format_stats(stats)))
            time.sleep(0.05)

    # --- unary -----------------------------------------------------------------------------

    def unary(self):
        with self._channel() as channel:
            reply = self._stub(channel).Unary(echo_pb2.EchoRequest(payload=b"hello"),
                                              timeout=RPC_TIMEOUT_SECONDS)
        expect(reply.payload == b"hello", "expected payload b'hello', got %r" % reply.payload)
        return "payload round-tripped"

    def unary_empty(self):
        with self._channel() as channel:
            reply = self._stub(channel).Unary(echo_pb2.EchoRequest(), timeout=RPC_TIMEOUT_SECONDS)
        expect(reply.payload == b"", "expected empty payload, got %d bytes" % len(reply.payload))
        return "empty request answered with empty payload"

    def large_1mib(self):
        payload = os.urandom(MIB)
        with self._channel() as channel:
            reply = self._stub(channel).Unary(echo_pb2.EchoRequest(payload=payload),
                                              timeout=RPC_TIMEOUT_SECONDS)
        expect(reply.payload == payload, "1 MiB payload differs (got %d bytes)" % len(reply.payload))
        return "1 MiB random payload round-tripped"

    def oversized_request(self):
        # Our own send limit is lifted so it is the server's 4 MiB receive limit that refuses.
        with self._channel(max_send_message_length=64 * MIB) as channel:
            stub = self._stub(channel)
            error = expect_error(
                lambda: stub.Unary(echo_pb2.EchoRequest(payload=b"\x01" * (5 * MIB)),
                                   timeout=RPC_TIMEOUT_SECONDS),
                grpc.StatusCode.RESOURCE_EXHAUSTED)
        return "RESOURCE_EXHAUSTED: %s" % error.details()

    def oversized_reply(self):
        with self._channel() as channel:  # default receive limit: 4 MiB
            stub = self._stub(channel)
            error = expect_error(
                lambda: stub.Unary(echo_pb2.EchoRequest(reply_size=5 * MIB),
                                   timeout=RPC_TIMEOUT_SECONDS),
                grpc.StatusCode.RESOURCE_EXHAUSTED)
        return "RESOURCE_EXHAUSTED: %s" % error.details()

    def unary_error(self):
        message = "не найдено: 50% ✓"
        with self._channel() as channel:
            stub = self._stub(channel)
            expect_error(
                lambda: stub.Unary(echo_pb2.EchoRequest(fail=echo_pb2.Failure(code=5, message=message)),
                                   timeout=RPC_TIMEOUT_SECONDS),
                grpc.StatusCode.NOT_FOUND, message)
        return "NOT_FOUND with the exact unicode message"

    def all_status_codes(self):
        codes = {code.value[0]: code for code in grpc.StatusCode}
        problems = []
        with self._channel() as channel:
            stub = self._stub(channel)
            for number in range(1, 17):
                message = "code %d" % number
                request = echo_pb2.EchoRequest(fail=echo_pb2.Failure(code=number, message=message))
                try:
                    stub.Unary(request, timeout=RPC_TIMEOUT_SECONDS)
                    problems.append("%d: succeeded" % number)
                except grpc.RpcError as error:
                    if error.code() != codes[number] or error.details() != message:
                        problems.append("%d: got %s %r" % (number, error.code().name, error.details()))
        expect(not problems, "; ".join(problems))
        return "codes 1..16 each arrived with their message"

    def crash(self):
        with self._channel() as channel:
            stub = self._stub(channel)
            error = expect_error(
                lambda: stub.Unary(echo_pb2.EchoRequest(fail=echo_pb2.Failure(crash=True)),
                                   timeout=RPC_TIMEOUT_SECONDS),
                grpc.StatusCode.UNKNOWN)
        expect(CRASH_SECRET not in (error.details() or ""),
               "the exception text leaked: %r" % error.details())
        return "UNKNOWN without the exception text: %r" % error.details()

    def unknown_method(self):
        return self._expect_unimplemented("/remotemodel.testing.v1.Echo/NoSuchMethod")

    def unknown_service(self):
        return self._expect_unimplemented("/remotemodel.testing.v1.NoSuchService/Unary")

    def _expect_unimplemented(self, path):
        with self._channel() as channel:
            raw = channel.unary_unary(path)  # no serializers: bytes in, bytes out
            error = expect_error(lambda: raw(b"", timeout=RPC_TIMEOUT_SECONDS),
                                 grpc.StatusCode.UNIMPLEMENTED)
        return "UNIMPLEMENTED: %s" % error.details()

    def deadline(self):
        with self._channel() as channel:
            stub = self._stub(channel)
            before = self._stats(stub)
            started = time.monotonic()
            expect_error(lambda: stub.Unary(echo_pb2.EchoRequest(delay_ms=5000), timeout=0.3),
                         grpc.StatusCode.DEADLINE_EXCEEDED)
            elapsed = time.monotonic() - started
            expect(elapsed < 2.0, "DEADLINE_EXCEEDED only after %.2f s" % elapsed)
            after = self._wait_for_stats(
                stub,
                lambda s: (s.cancelled_calls > before.cancelled_calls
                           or s.deadline_exceeded_calls > before.deadline_exceeded_calls),
                "the expired deadline")
        return "DEADLINE_EXCEEDED after %.0f ms; stats %s -> %s" % (
            elapsed * 1000, _format_stats(before), _format_stats(after))

    # --- streams ---------------------------------------------------------------------------

    def stream(self):
        with self._channel() as channel:
            replies = list(self._stub(channel).Stream(
                echo_pb2.StreamRequest(count=100, payload_size=10), timeout=RPC_TIMEOUT_SECONDS))
        expect(len(replies) == 100, "expected 100 replies, got %d" % len(replies))
        sequences = [reply.sequence for reply in replies]
        expect(sequences == list(range(100)), "sequences out of order: %s" % _short(sequences))
        sizes = {len(reply.payload) for reply in replies}
        expect(sizes == {10}, "expected every payload 10 bytes, got sizes %s" % sorted(sizes))
        return "100 replies, sequence 0..99, 10 bytes each, OK"

    def stream_empty(self):
        with self._channel() as channel:
            replies = list(self._stub(channel).Stream(echo_pb2.StreamRequest(count=0),
                                                      timeout=RPC_TIMEOUT_SECONDS))
        expect(not replies, "expected no replies, got %d" % len(replies))
        return "zero replies, OK"

    def stream_error_after_messages(self):
        return self._stream_error(3, 9, "état: ✓ 100% done", grpc.StatusCode.FAILED_PRECONDITION)

    def stream_error_immediately(self):
        return self._stream_error(0, 7, "nope", grpc.StatusCode.PERMISSION_DENIED)

    def _stream_error(self, count, code_number, message, code):
        request = echo_pb2.StreamRequest(count=count, payload_size=4,
                                         fail_after=echo_pb2.Failure(code=code_number, message=message))
        received = []
        with self._channel() as channel:
            call = self._stub(channel).Stream(request, timeout=RPC_TIMEOUT_SECONDS)
            expect_error(lambda: received.extend(call), code, message)
        expect(len(received) == count, "expected %d replies before the error, got %d" % (count, len(received)))
        return "%d replies then %s %r" % (count, code.name, message)

    def cancel_stream(self):
        with self._channel() as channel:
            stub = self._stub(channel)
            before = self._stats(stub)
            call = stub.Stream(echo_pb2.StreamRequest(count=1000000, payload_size=8, interval_ms=1),
                               timeout=RPC_TIMEOUT_SECONDS)
            for _ in range(5):
                next(call)
            call.cancel()
            expect_error(lambda: next(call), grpc.StatusCode.CANCELLED)
            after = self._wait_for_stats(
                stub, lambda s: s.cancelled_calls > before.cancelled_calls, "the cancellation")
        return "read 5, cancelled; stats %s -> %s" % (_format_stats(before), _format_stats(after))

    # --- metadata --------------------------------------------------------------------------

    def metadata(self):
        with self._channel() as channel:
            _, call = self._stub(channel).Unary.with_call(
                echo_pb2.EchoRequest(payload=b"m", echo_metadata=True),
                metadata=_echo_metadata(), timeout=RPC_TIMEOUT_SECONDS)
            _check_echoed(call.initial_metadata(), "initial metadata")
            _check_echoed(call.trailing_metadata(), "trailers")
        return "x-echo-text and x-echo-data-bin came back in headers and trailers"

    def metadata_stream(self):
        with self._channel() as channel:
            call = self._stub(channel).Stream(
                echo_pb2.StreamRequest(count=2, payload_size=1, echo_metadata=True),
                metadata=_echo_metadata(), timeout=RPC_TIMEOUT_SECONDS)
            replies = list(call)
            expect(len(replies) == 2, "expected 2 replies, got %d" % len(replies))
            _check_echoed(call.initial_metadata(), "initial metadata")
            _check_echoed(call.trailing_metadata(), "trailers")
        return "2 replies; echoed headers in headers and trailers"

    # --- health ----------------------------------------------------------------------------

    def health_check(self):
        serving = health_pb2.HealthCheckResponse.SERVING
        with self._channel() as channel:
            stub = PROTOS.health_pb2_grpc.HealthStub(channel)
            for service in ("", "remotemodel.testing.v1.Echo"):
                reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT_SECONDS)
                expect(reply.status == serving, "Check(%r): expected SERVING, got %s"
                       % (service, health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)))
            expect_error(lambda: stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"),
                                            timeout=RPC_TIMEOUT_SECONDS),
                         grpc.StatusCode.NOT_FOUND)
        return "'' and Echo SERVING, unknown service NOT_FOUND"

    def health_watch(self):
        with self._channel() as channel:
            stub = PROTOS.health_pb2_grpc.HealthStub(channel)
            call = stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=RPC_TIMEOUT_SECONDS)
            first = next(call)
            call.cancel()
        expect(first.status == health_pb2.HealthCheckResponse.SERVING,
               "expected SERVING, got %s" % health_pb2.HealthCheckResponse.ServingStatus.Name(first.status))
        return "first Watch message SERVING, then cancelled"

    # --- compression -----------------------------------------------------------------------

    def gzip_request(self):
        payload = b"abcd" * (16 * 1024)  # 64 KiB, highly compressible
        with self._channel() as channel:
            reply = self._stub(channel).Unary(echo_pb2.EchoRequest(payload=payload),
                                              compression=grpc.Compression.Gzip,
                                              timeout=RPC_TIMEOUT_SECONDS)
        expect(reply.payload == payload, "64 KiB gzip payload differs (got %d bytes)" % len(reply.payload))
        return "64 KiB gzip-compressed request round-tripped"


CASE_NAMES = (
    "unary", "unary_empty", "large_1mib", "oversized_request", "oversized_reply",
    "stream", "stream_empty", "stream_error_after_messages", "stream_error_immediately",
    "unary_error", "all_status_codes", "crash", "unknown_method", "unknown_service",
    "deadline", "cancel_stream", "metadata", "metadata_stream", "health_check",
    "health_watch", "gzip_request",
)


def _echo_metadata():
    return (("x-echo-text", ECHO_TEXT_VALUE), ("x-echo-data-bin", ECHO_BIN_VALUE))


def _check_echoed(metadata, where):
    values = {}
    for key, value in metadata or ():
        values.setdefault(key, value)
    expect(values.get("x-echo-text") == ECHO_TEXT_VALUE,
           "%s: expected x-echo-text %r, got %r" % (where, ECHO_TEXT_VALUE, values.get("x-echo-text")))
    expect(values.get("x-echo-data-bin") == ECHO_BIN_VALUE,
           "%s: expected x-echo-data-bin %r, got %r" % (where, ECHO_BIN_VALUE, values.get("x-echo-data-bin")))


def _format_stats(stats):
    return "{cancelled %d, deadline %d, completed %d}" % (
        stats.cancelled_calls, stats.deadline_exceeded_calls, stats.completed_calls)


def main(argv=None):
    return case_runner.main(argv, __doc__.splitlines()[0], "HOST:PORT of the Echo server", CASE_NAMES, Cases)


if __name__ == "__main__":
    sys.exit(main())
