"""Benchmark peer: Pyro4 doing the same workloads the Pyro4 way, as the baseline RemoteModel replaces.

    pyro4_bench.py server --port 0 [--serializer serpent|marshal]
    pyro4_bench.py client --target HOST:PORT --workload W --seconds S [--concurrency C] [--serializer ...]

The server exposes one object with echo(payload) and items(size), and uses Pyro4's default
thread-pool server (one worker thread per connected proxy). Workloads:

* unary-latency: one proxy, sequential echo() of a 16-byte payload.
* unary-throughput: C threads (default 32), each with its own proxy (Pyro4 proxies are not
  meant to be shared between threads), calling echo() back to back.
* stream: items() is a generator; with ITER_STREAMING Pyro4 hands the client an iterator that
  fetches 16-byte items from the server, which is Pyro4's streaming story.

Serpent carries bytes as {"data": <base64>, "encoding": "base64"} dicts; both sides turn them
back into bytes, as a real Pyro4 application has to. Marshal carries bytes natively.
"""

import os
import sys
import threading

import Pyro4
import serpent

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "interop", "python"))

import bench_common  # noqa: E402
import process_lifetime  # noqa: E402

OBJECT_ID = "remotemodel.bench.echo"
SERIALIZERS = ("serpent", "marshal")
SERVER_THREADS = 128  # the thread server holds one worker per connected proxy; 32 callers + spare


def configure(serializer):
    """Pyro4 reads its configuration globally; both sides use the one serializer asked for."""
    Pyro4.config.SERIALIZER = serializer
    Pyro4.config.SERIALIZERS_ACCEPTED = {serializer}
    Pyro4.config.SERVERTYPE = "thread"
    Pyro4.config.THREADPOOL_SIZE = SERVER_THREADS
    Pyro4.config.ITER_STREAMING = True


def as_bytes(value):
    """Undoes serpent's base64 wrapping of bytes; leaves real bytes (marshal) alone."""
    return serpent.tobytes(value) if isinstance(value, dict) else value


@Pyro4.expose
class BenchEcho:
    def echo(self, payload):
        return as_bytes(payload)

    def items(self, size):
        """An endless generator; the client closes the stream when it has measured enough."""
        item = b"\x00" * size
        while True:
            yield item


def run_server(host, port):
    daemon = Pyro4.Daemon(host=host, port=port)
    daemon.register(BenchEcho(), objectId=OBJECT_ID)
    loop = threading.Thread(target=daemon.requestLoop, name="pyro-daemon", daemon=True)
    loop.start()
    bench_common.announce_listening(daemon.sock.getsockname()[1])
    process_lifetime.wait_for_stop_request()
    daemon.shutdown()


def connect(target):
    proxy = Pyro4.Proxy("PYRO:%s@%s" % (OBJECT_ID, target))
    proxy._pyroBind()  # connect now, not inside the first timed call
    return proxy


def run_client(target, workload, seconds, concurrency):
    payload = bench_common.PAYLOAD
    latencies = None
    if workload == "unary-latency":
        proxy = connect(target)
        latencies, count, measured = bench_common.measure_sequential(
            lambda: as_bytes(proxy.echo(payload)), seconds)
    elif workload == "unary-throughput":
        def make_call():
            proxy = connect(target)  # one proxy (and so one connection) per thread
            return lambda: as_bytes(proxy.echo(payload))
        latencies, count, measured = bench_common.measure_threaded(make_call, concurrency, seconds)
    else:
        proxy = connect(target)
        stream = proxy.items(len(payload))
        count, measured = bench_common.measure_stream(map(as_bytes, stream), seconds)
        stream.close()
    system = "Pyro4 (%s)" % Pyro4.config.SERIALIZER
    return bench_common.result_line(system, workload, latencies, count, measured)


def main(argv=None):
    def add_serializer(sub):
        sub.add_argument("--serializer", choices=SERIALIZERS, default="serpent")

    parser = bench_common.parser_with_modes(__doc__.splitlines()[0], extra_common_arguments=add_serializer)
    args = parser.parse_args(argv)
    configure(args.serializer)
    if args.mode == "server":
        run_server(args.host, args.port)
    else:
        bench_common.emit(run_client(args.target, args.workload, args.seconds, args.concurrency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
