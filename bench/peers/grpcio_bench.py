"""Benchmark peer: stock python grpcio doing the Echo workloads the C# transport is measured on.

    grpcio_bench.py server --port 0
    grpcio_bench.py client --target HOST:PORT --workload W --seconds S [--concurrency C]

The server prints ``LISTENING <port>`` and serves Echo with a lean servicer (no test
bookkeeping, unlike tests/interop/python/echo_server.py) until SIGTERM/SIGINT or EOF on a piped
stdin. The client prints one JSON line (see bench_common.result_line).

grpcio offers a thread-based API and an asyncio one (grpc.aio); `--api` picks either for the
server and the client. The defaults are the faster of the two for each side as measured on
this machine (see DEFAULT_*_API), so the comparison is against grpcio at its best.
"""

import asyncio
import os
import sys
import time
from concurrent import futures

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "interop", "python"))

import bench_common  # noqa: E402
import process_lifetime  # noqa: E402
import protos_loader  # noqa: E402

PROTOS = protos_loader.load()
echo_pb2 = PROTOS.echo_pb2
echo_pb2_grpc = PROTOS.echo_pb2_grpc

SYSTEM = "python grpcio"
STREAM_COUNT = 2**31 - 1  # "until cancelled"
# Picked from repeated 2 s runs of every combination (2-core box shared with builds, so noisy):
# the aio server was as fast as the threaded one for unary and faster for streaming; the aio
# client wins clearly with 32 concurrent callers and for streaming, ties for sequential calls.
DEFAULT_SERVER_API = "aio"
DEFAULT_CLIENT_API = {"unary-latency": "sync", "unary-throughput": "aio", "stream": "aio"}


# --- server --------------------------------------------------------------------------------

class SyncEchoServicer(echo_pb2_grpc.EchoServicer):
    def Unary(self, request, context):
        return echo_pb2.EchoReply(payload=request.payload)

    def Stream(self, request, context):
        payload = b"\x00" * request.payload_size
        for sequence in range(request.count):
            yield echo_pb2.EchoReply(payload=payload, sequence=sequence)

    def Stats(self, request, context):
        return echo_pb2.StatsReply()


class AioEchoServicer(echo_pb2_grpc.EchoServicer):
    async def Unary(self, request, context):
        return echo_pb2.EchoReply(payload=request.payload)

    async def Stream(self, request, context):
        payload = b"\x00" * request.payload_size
        for sequence in range(request.count):
            yield echo_pb2.EchoReply(payload=payload, sequence=sequence)

    async def Stats(self, request, context):
        return echo_pb2.StatsReply()


def run_sync_server(host, port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64), options=[("grpc.so_reuseport", 0)])
    echo_pb2_grpc.add_EchoServicer_to_server(SyncEchoServicer(), server)
    bound = server.add_insecure_port("%s:%d" % (host, port))
    server.start()
    bench_common.announce_listening(bound)
    process_lifetime.wait_for_stop_request()
    server.stop(grace=0.5).wait()


async def run_aio_server(host, port):
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    echo_pb2_grpc.add_EchoServicer_to_server(AioEchoServicer(), server)
    bound = server.add_insecure_port("%s:%d" % (host, port))
    await server.start()
    bench_common.announce_listening(bound)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    process_lifetime.watch_for_stop(lambda: loop.call_soon_threadsafe(stop.set))
    await stop.wait()
    await server.stop(0.5)


# --- client: thread-based API ----------------------------------------------------------------

def sync_client(target, workload, seconds, concurrency):
    request = echo_pb2.EchoRequest(payload=bench_common.PAYLOAD)
    with grpc.insecure_channel(target) as channel:
        stub = echo_pb2_grpc.EchoStub(channel)
        stub.Unary(request, wait_for_ready=True, timeout=10)  # connect before timing
        if workload == "unary-latency":
            latencies, count, measured = bench_common.measure_sequential(lambda: stub.Unary(request), seconds)
        elif workload == "unary-throughput":
            # All threads share the channel (one HTTP/2 connection), as a grpcio app would.
            latencies, count, measured = bench_common.measure_threaded(
                lambda: (lambda: stub.Unary(request)), concurrency, seconds)
        else:
            call = stub.Stream(echo_pb2.StreamRequest(count=STREAM_COUNT, payload_size=16))
            count, measured = bench_common.measure_stream(call, seconds)
            call.cancel()
            latencies = None
    return bench_common.result_line(SYSTEM, workload, latencies, count, measured)


# --- client: asyncio API ---------------------------------------------------------------------

async def _aio_callers(stub, request, concurrency, seconds):
    """`concurrency` coroutines calling back to back on one channel; same windows as threads."""
    clock = time.perf_counter_ns
    start = clock() + int(bench_common.WARMUP_SECONDS * 1e9)
    end = start + int(seconds * 1e9)

    async def caller():
        while clock() < start:
            await stub.Unary(request)
        latencies = []
        now = clock()
        while now < end:
            before = now
            await stub.Unary(request)
            now = clock()
            latencies.append(now - before)
        return latencies

    chunks = await asyncio.gather(*(caller() for _ in range(concurrency)))
    latencies = [value for chunk in chunks for value in chunk]
    return latencies, len(latencies), seconds


async def _aio_stream(stub, seconds):
    clock = time.perf_counter_ns
    call = stub.Stream(echo_pb2.StreamRequest(count=STREAM_COUNT, payload_size=16))
    warm_end = clock() + int(bench_common.WARMUP_SECONDS * 1e9)
    while clock() < warm_end:
        await call.read()
    count = 0
    start = clock()
    end = start + int(seconds * 1e9)
    while True:
        await call.read()
        count += 1
        if count & 63 == 0 and clock() >= end:
            break
    measured = (clock() - start) / 1e9
    call.cancel()
    return count, measured


async def aio_client(target, workload, seconds, concurrency):
    request = echo_pb2.EchoRequest(payload=bench_common.PAYLOAD)
    async with grpc.aio.insecure_channel(target) as channel:
        stub = echo_pb2_grpc.EchoStub(channel)
        await stub.Unary(request, wait_for_ready=True, timeout=10)
        latencies = None
        if workload == "unary-latency":
            latencies, count, measured = await _aio_callers(stub, request, 1, seconds)
        elif workload == "unary-throughput":
            latencies, count, measured = await _aio_callers(stub, request, concurrency, seconds)
        else:
            count, measured = await _aio_stream(stub, seconds)
    return bench_common.result_line(SYSTEM, workload, latencies, count, measured)


# --- entry point -----------------------------------------------------------------------------

def main(argv=None):
    def add_api(sub):
        sub.add_argument("--api", choices=("sync", "aio"),
                         help="grpcio API to use (default: the faster one for this side/workload)")

    parser = bench_common.parser_with_modes(__doc__.splitlines()[0], extra_common_arguments=add_api)
    args = parser.parse_args(argv)
    if args.mode == "server":
        if (args.api or DEFAULT_SERVER_API) == "aio":
            asyncio.run(run_aio_server(args.host, args.port))
        else:
            run_sync_server(args.host, args.port)
        return 0

    api = args.api or DEFAULT_CLIENT_API[args.workload]
    if api == "aio":
        result = asyncio.run(aio_client(args.target, args.workload, args.seconds, args.concurrency))
    else:
        result = sync_client(args.target, args.workload, args.seconds, args.concurrency)
    bench_common.emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
