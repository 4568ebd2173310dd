"""A stock grpcio server for remotemodel.testing.v1.Echo and grpc.health.v1.Health.

The C# client tests launch it as a child process to prove the C# client (Grpc.Net.Client, as
RemoteModel configures it) against another gRPC implementation. Usage:

    /usr/bin/python3 echo_server.py --port 0

It binds 127.0.0.1 (insecure), prints exactly one line ``LISTENING <port>`` to stdout and serves
until SIGTERM/SIGINT, or until stdin reaches EOF when stdin is a pipe (so a parent that dies
takes the server with it; a terminal or /dev/null stdin is ignored).

Semantics follow the comments in protos/remotemodel/testing/v1/echo.proto. Two choices worth
knowing:

* Stats counts only Echo.Unary and Echo.Stream calls (not Stats or Health themselves), so a
  peer can compare counters before and after one case. completed_calls counts handlers that ran
  to their end without seeing cancellation, whatever status they chose to end with.
* Stock grpcio answers an unexpected handler exception with UNKNOWN and the details
  "Exception calling application: <exception text>", leaking the text. echo.proto requires
  that none of the text reaches the peer, so handlers are wrapped to turn unexpected
  exceptions into UNKNOWN with a fixed message (the exception is still logged to stderr).
"""

import argparse
import functools
import logging
import sys
import threading
from concurrent import futures

import grpc

import process_lifetime
import protos_loader

PROTOS = protos_loader.load()
echo_pb2 = PROTOS.echo_pb2
health_pb2 = PROTOS.health_pb2

MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024  # grpc's default, stated explicitly
ECHO_HEADER_PREFIX = "x-echo-"
CRASH_TEXT = "SECRET-INTERNAL-DETAIL: the handler blew up on purpose"
CRASH_STATUS_MESSAGE = "Unexpected error in the server handler"
SERVING_SERVICES = frozenset({"", "remotemodel.testing.v1.Echo", "grpc.health.v1.Health"})

_CODES_BY_VALUE = {code.value[0]: code for code in grpc.StatusCode}

log = logging.getLogger("echo_server")


class Stats:
    """Thread-safe counters behind Echo.Stats."""

    def __init__(self):
        self._lock = threading.Lock()
        self.cancelled_calls = 0
        self.deadline_exceeded_calls = 0
        self.completed_calls = 0

    def record_termination(self, deadline_expired):
        with self._lock:
            self.cancelled_calls += 1
            if deadline_expired:
                self.deadline_exceeded_calls += 1

    def record_completion(self):
        with self._lock:
            self.completed_calls += 1

    def snapshot(self):
        with self._lock:
            return echo_pb2.StatsReply(
                cancelled_calls=self.cancelled_calls,
                deadline_exceeded_calls=self.deadline_exceeded_calls,
                completed_calls=self.completed_calls,
            )


class TrackedCall:
    """Links grpcio's termination callback to one handler so waits end early on cancellation
    and Stats learns whether the handler was still running when the call died."""

    def __init__(self, context, stats=None):
        self._context = context
        self._stats = stats
        self._lock = threading.Lock()
        self._finished = False
        self.ended = threading.Event()
        if not context.add_callback(self._on_terminated):
            self._on_terminated()  # the call already ended before we could subscribe

    def _on_terminated(self):
        # grpcio runs callbacks when the RPC ends for any reason, including normal completion;
        # only an end that arrives while the handler is still running is a cancellation.
        with self._lock:
            cancelled = not self._finished
            self._finished = True
        if cancelled and self._stats is not None:
            remaining = self._context.time_remaining()
            self._stats.record_termination(deadline_expired=remaining is not None and remaining <= 0)
        self.ended.set()

    def wait(self, seconds):
        """Sleeps up to `seconds`; returns True when the call ended meanwhile."""
        return self.ended.wait(seconds)

    def finish(self):
        """Marks the handler as done; returns False when the call was already cancelled."""
        with self._lock:
            if self._finished:
                return False
            self._finished = True
        if self._stats is not None:
            self._stats.record_completion()
        return True


def contain_crashes(handler):
    """Turns unexpected exceptions from a unary handler into UNKNOWN without their text."""

    @functools.wraps(handler)
    def wrapper(self, request, context):
        try:
            return handler(self, request, context)
        except Exception:
            _abort_unless_aborted(context)
            raise

    return wrapper


def contain_stream_crashes(handler):
    """Like contain_crashes, for handlers that are generators of responses."""

    @functools.wraps(handler)
    def wrapper(self, request, context):
        try:
            yield from handler(self, request, context)
        except Exception:
            _abort_unless_aborted(context)
            raise

    return wrapper


def _abort_unless_aborted(context):
    if context.code() is None:  # no status chosen yet: the exception was not context.abort()
        log.exception("handler crashed; answering UNKNOWN without the exception text")
        context.abort(grpc.StatusCode.UNKNOWN, CRASH_STATUS_MESSAGE)


def fail(context, failure):
    """Ends the call as the request's Failure asks; returns only for code 0 without crash."""
    if failure.crash:
        raise RuntimeError(CRASH_TEXT)
    if failure.code != 0:
        code = _CODES_BY_VALUE.get(failure.code, grpc.StatusCode.UNKNOWN)
        context.abort(code, failure.message)


def echo_headers(context):
    """The request headers the peer asked to have echoed (binary '-bin' values stay bytes)."""
    return tuple(
        (key, value)
        for key, value in context.invocation_metadata()
        if key.startswith(ECHO_HEADER_PREFIX)
    )


def make_payload(size):
    """A deterministic, non-constant payload so byte-exactness checks mean something."""
    pattern = bytes(range(256))
    repeats, rest = divmod(size, len(pattern))
    return pattern * repeats + pattern[:rest]


class EchoServicer(PROTOS.echo_pb2_grpc.EchoServicer):
    def __init__(self, stats):
        self._stats = stats

    @contain_crashes
    def Unary(self, request, context):
        call = TrackedCall(context, self._stats)
        if request.echo_metadata:
            headers = echo_headers(context)
            context.send_initial_metadata(headers)
            context.set_trailing_metadata(headers)
        if request.delay_ms > 0 and call.wait(request.delay_ms / 1000.0):
            return echo_pb2.EchoReply()  # cancelled: nobody will read this
        if request.HasField("fail"):
            call.finish()
            fail(context, request.fail)
        payload = make_payload(request.reply_size) if request.reply_size > 0 else request.payload
        call.finish()
        return echo_pb2.EchoReply(payload=payload)

    @contain_stream_crashes
    def Stream(self, request, context):
        call = TrackedCall(context, self._stats)
        if request.echo_metadata:
            headers = echo_headers(context)
            context.send_initial_metadata(headers)
            context.set_trailing_metadata(headers)
        payload = make_payload(max(request.payload_size, 0))
        interval = request.interval_ms / 1000.0
        for sequence in range(max(request.count, 0)):
            if sequence > 0 and interval > 0 and call.wait(interval):
                return
            if call.ended.is_set():
                return
            yield echo_pb2.EchoReply(payload=payload, sequence=sequence)
        if request.HasField("fail_after"):
            call.finish()
            fail(context, request.fail_after)
        call.finish()

    def Stats(self, request, context):
        return self._stats.snapshot()


class HealthServicer(PROTOS.health_pb2_grpc.HealthServicer):
    """Everything this process serves is always SERVING; other names are unknown."""

    def Check(self, request, context):
        if request.service not in SERVING_SERVICES:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service " + request.service)
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    def Watch(self, request, context):
        call = TrackedCall(context)
        status = (health_pb2.HealthCheckResponse.SERVING
                  if request.service in SERVING_SERVICES
                  else health_pb2.HealthCheckResponse.SERVICE_UNKNOWN)
        yield health_pb2.HealthCheckResponse(status=status)
        call.ended.wait()  # the status never changes; hold the stream until the peer leaves


def build_server(host, port, max_workers):
    """Returns (server, bound_port) with both services added, not yet started."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        options=[
            ("grpc.max_receive_message_length", MAX_RECEIVE_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
        ],
    )
    PROTOS.echo_pb2_grpc.add_EchoServicer_to_server(EchoServicer(Stats()), server)
    PROTOS.health_pb2_grpc.add_HealthServicer_to_server(HealthServicer(), server)
    bound = server.add_insecure_port("%s:%d" % (host, port))
    if bound == 0:
        raise SystemExit("could not bind %s:%d" % (host, port))
    return server, bound


def serve_until_stopped(server, port):
    """Starts the server, announces the port with the LISTENING line, serves until asked to stop."""
    server.start()
    sys.stdout.write("LISTENING %d\n" % port)
    sys.stdout.flush()
    process_lifetime.wait_for_stop_request()
    server.stop(grace=1).wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks an ephemeral port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--max-workers", type=int, default=64,
                        help="handler threads; streams, delays and Watch each hold one")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    server, port = build_server(args.host, args.port, args.max_workers)
    serve_until_stopped(server, port)


if __name__ == "__main__":
    main()
