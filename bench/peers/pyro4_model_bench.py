"""Benchmark peer: a model server the seed's way, with Pyro4: a server object that calls back viewer daemons.

    pyro4_model_bench.py server --port 0
    pyro4_model_bench.py client --target HOST:PORT --workload W --seconds S [--concurrency C]

The server hosts one model object (a float, an int and a string) with query(), modify(values)
and register_viewer(uri). Every registered viewer is a Pyro4 daemon of its own in the client
process, with one callback object; modify() applies the values, bumps the version and calls
changed(version, values) on every viewer's proxy (oneway), one after the other, before it returns.
Workloads (the C# harness's ModelWorkloads names them the same way):

* query-latency: one proxy, sequential query().
* query-throughput: C threads (default 32), each with its own proxy, calling query() back to back.
* deliver-paced-N: N viewers; the driver sets Value to its send timestamp (perf_counter_ns) and
  Counter to a sequence number, and waits until every viewer has the change before the next one.
* deliver-saturated-N: the same, but modify() is called again as soon as it returns, with at most
  IN_FLIGHT changes not yet received by every viewer.
* deliver-controllers-N: deliver-saturated-N with CONTROLLERS driver threads at once, each with
  its own proxy.

Delivery latency is from just before modify() to a viewer's callback running, per (viewer, change);
ops/s counts callbacks received a second. The viewer daemons use the multiplex server type and are
combined into one event loop on one thread (a thread per viewer daemon does not scale to 1,000).
"""

import os
import sys
import threading
import time

import Pyro4

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "interop", "python"))

import bench_common  # noqa: E402
import process_lifetime  # noqa: E402

OBJECT_ID = "remotemodel.bench.model"
SERVER_THREADS = 128  # one worker per connected proxy: 32 callers and the driver, with spare
VIEWER_COUNTS = (1, 100, 1000)
IN_FLIGHT = 256  # the C# harness's ModelWorkloads.InFlightChanges
CONTROLLERS = 4  # the C# harness's ModelWorkloads.Controllers
MINIMUM_CHANGES = 50  # the C# harness's ModelWorkloads.MinimumChanges
DELIVERY_TIMEOUT = 60.0
WORKLOADS = ("query-latency", "query-throughput") + tuple(
    "deliver-%s-%d" % (mode, n) for n in VIEWER_COUNTS for mode in ("paced", "saturated", "controllers"))


def configure(servertype):
    Pyro4.config.SERIALIZER = "serpent"
    Pyro4.config.SERIALIZERS_ACCEPTED = {"serpent"}
    Pyro4.config.SERVERTYPE = servertype
    Pyro4.config.THREADPOOL_SIZE = SERVER_THREADS


@Pyro4.expose
class BenchModel:
    """The seed's model: values, a version, and a list of viewer proxies called back on every change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values = {"Value": 0.0, "Counter": 0, "Label": "bench"}
        self._version = 0
        self._viewers = []

    def query(self):
        with self._lock:
            return {"version": self._version, "values": dict(self._values)}

    def modify(self, values):
        with self._lock:
            unknown = set(values) - set(self._values)
            if unknown:
                raise KeyError("no such properties: %s" % ", ".join(sorted(unknown)))
            self._values.update(values)
            self._version += 1
            for viewer in self._viewers:
                viewer.changed(self._version, values)
            return self._version

    def register_viewer(self, uri):
        proxy = Pyro4.Proxy(uri)
        proxy._pyroBind()  # connect now, not inside the first timed modify
        with self._lock:
            self._viewers.append(proxy)
            return len(self._viewers)

    def clear_viewers(self):
        with self._lock:
            for viewer in self._viewers:
                viewer._pyroRelease()
            self._viewers = []


def run_server(host, port):
    configure("thread")
    daemon = Pyro4.Daemon(host=host, port=port)
    daemon.register(BenchModel(), objectId=OBJECT_ID)
    loop = threading.Thread(target=daemon.requestLoop, name="pyro-daemon", daemon=True)
    loop.start()
    bench_common.announce_listening(daemon.sock.getsockname()[1])
    process_lifetime.wait_for_stop_request()
    daemon.shutdown()


def connect(target):
    proxy = Pyro4.Proxy("PYRO:%s@%s" % (OBJECT_ID, target))
    proxy._pyroBind()
    return proxy


class DeliveryTracker:
    """Per change in flight, how many viewers still have to receive it; the driver sends once
    fewer than its window are undelivered (the C# harness's DeliveryTracker)."""

    def __init__(self, viewers, in_flight):
        self.viewers = viewers
        self.in_flight = in_flight
        self.window = threading.Semaphore(in_flight)
        self.remaining = {}
        self.measure_from = float("inf")
        self.lock = threading.Lock()

    def before_send(self, sequence):
        if not self.window.acquire(timeout=DELIVERY_TIMEOUT):
            raise TimeoutError("change %d was not delivered to all %d viewers" % (sequence - self.in_flight, self.viewers))
        with self.lock:
            self.remaining[sequence] = self.viewers

    def received(self, sequence):
        with self.lock:
            left = self.remaining[sequence] - 1
            if left:
                self.remaining[sequence] = left
                return
            del self.remaining[sequence]
        self.window.release()

    def drain(self):
        for _ in range(self.in_flight):
            if not self.window.acquire(timeout=DELIVERY_TIMEOUT):
                raise TimeoutError("the last changes were not delivered to all %d viewers" % self.viewers)
        for _ in range(self.in_flight):
            self.window.release()


@Pyro4.expose
class Viewer:
    """One viewer's callback object: keeps the delivery latency of every timed change."""

    def __init__(self, tracker):
        self.tracker = tracker
        self.latencies = []

    @Pyro4.oneway
    @Pyro4.callback
    def changed(self, version, values):
        arrived = time.perf_counter_ns()
        sequence = values["Counter"]
        if sequence >= self.tracker.measure_from:
            self.latencies.append(arrived - values["Value"])
        self.tracker.received(sequence)


def deliver(target, viewers, in_flight, controllers, seconds):
    """Starts `viewers` viewer daemons (one event loop), registers them, and times changes sent by `controllers` threads."""
    configure("multiplex")
    tracker = DeliveryTracker(viewers, in_flight)
    daemons = [Pyro4.Daemon(host="127.0.0.1") for _ in range(viewers)]
    callbacks = [Viewer(tracker) for _ in range(viewers)]
    uris = [d.register(c) for d, c in zip(daemons, callbacks)]
    for other in daemons[1:]:
        daemons[0].combine(other)
    loop = threading.Thread(target=daemons[0].requestLoop, name="viewer-daemons", daemon=True)
    loop.start()
    model = connect(target)
    for uri in uris:
        model.register_viewer(uri)

    clock = time.perf_counter_ns
    sent = [0]  # the highest sequence number taken
    sending = threading.Lock()
    proxies = [model] + [connect(target) for _ in range(controllers - 1)]

    def send(proxy):
        with sending:
            sent[0] += 1
            sequence = sent[0]
        tracker.before_send(sequence)
        proxy.modify({"Value": clock(), "Counter": sequence})

    def drive(more):
        def loop(proxy):
            while more():
                send(proxy)
        threads = [threading.Thread(target=loop, args=(proxy,)) for proxy in proxies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    warm_end = clock() + int(bench_common.WARMUP_SECONDS * 1e9)
    drive(lambda: clock() < warm_end)
    tracker.drain()
    tracker.measure_from = sent[0] + 1
    start = clock()
    end = start + int(seconds * 1e9)
    drive(lambda: clock() < end or sent[0] - tracker.measure_from < MINIMUM_CHANGES)
    tracker.drain()
    measured = (clock() - start) / 1e9
    model.clear_viewers()
    for proxy in proxies[1:]:
        proxy._pyroRelease()
    latencies = [value for callback in callbacks for value in callback.latencies]
    daemons[0].shutdown()  # the combined loop; shutdown() on the others would wait for loops they never ran
    for daemon in daemons[1:]:
        daemon.close()
    return latencies, measured


def run_client(target, workload, seconds, concurrency):
    if workload == "query-latency":
        configure("thread")
        model = connect(target)
        latencies, count, measured = bench_common.measure_sequential(model.query, seconds)
    elif workload == "query-throughput":
        configure("thread")

        def make_call():
            return connect(target).query  # one proxy (and so one connection) per thread
        latencies, count, measured = bench_common.measure_threaded(make_call, concurrency, seconds)
    else:
        _, mode, viewers = workload.split("-")
        latencies, measured = deliver(target, int(viewers), 1 if mode == "paced" else IN_FLIGHT,
                                      CONTROLLERS if mode == "controllers" else 1, seconds)
        count = len(latencies)
    return bench_common.result_line("Pyro4 (serpent)", workload, latencies, count, measured)


def main(argv=None):
    parser = bench_common.parser_with_modes(__doc__.splitlines()[0], workloads=WORKLOADS)
    args = parser.parse_args(argv)
    if args.mode == "server":
        run_server(args.host, args.port)
    else:
        bench_common.emit(run_client(args.target, args.workload, args.seconds, args.concurrency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
