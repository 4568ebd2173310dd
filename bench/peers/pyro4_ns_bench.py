"""Benchmark peer: Pyro4's name server doing the name-server workloads, as the baseline remotemodel-ns replaces.

    pyro4_ns_bench.py server --port 0
    pyro4_ns_bench.py client --target HOST:PORT --workload W --seconds S [--concurrency C]

The server is Pyro4's own name server (Pyro4.naming.startNS: in-memory storage, no broadcast
responder) on Pyro4's default thread-pool server, with the default serializer (serpent).
Workloads, the same as bench/RemoteModel.Bench/NamingWorkloads.cs does against remotemodel-ns:

* lookup-latency: one proxy to the name server, sequential ns.lookup(name), taking each of 100
  registered names in turn.
* lookup-throughput: C threads (default 32), each with its own proxy (Pyro4 proxies are not
  meant to be shared between threads), looking up back to back.
* register-unregister: ns.register(name, uri) then ns.remove(name), sequential; one op is the
  pair. Pyro4 registrations are not leases, so there is no TTL to give.
* watch-latency: Pyro4's name server has no watch. The closest a Pyro4 client gets is polling:
  a second thread with its own proxy calls ns.list(prefix=...) back to back, and the latency is
  from just before ns.register() to the end of the first list that shows the new name. The
  writer registers one name at a time, waits until the poller has seen it, removes it, and
  waits until the poller has seen it gone. Reported as "Pyro4 NS (polling list)".
"""

import itertools
import os
import sys
import threading
import time

import Pyro4
import Pyro4.naming
from Pyro4 import constants

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "interop", "python"))

import bench_common  # noqa: E402
import process_lifetime  # noqa: E402

WORKLOADS = ("lookup-latency", "lookup-throughput", "register-unregister", "watch-latency")
SYSTEM = "Pyro4 NS"
LOOKUP_NAMES = ["bench.lookup.n%02d" % i for i in range(100)]
CHURN_NAME = "bench.churn"
WATCH_PREFIX = "bench.watch."
MINIMUM_WATCH_EVENTS = 2000  # as NamingWorkloads.MinimumWatchEvents
SERVER_THREADS = 128  # the thread server holds one worker per connected proxy; 32 callers + spare


def uri_for(name):
    """What a registration points at; the name server only checks that it parses."""
    return "PYRO:%s@127.0.0.1:5000" % name


def run_server(host, port):
    Pyro4.config.THREADPOOL_SIZE = SERVER_THREADS
    _, daemon, _ = Pyro4.naming.startNS(host=host, port=port, enableBroadcast=False)
    loop = threading.Thread(target=daemon.requestLoop, name="pyro-ns", daemon=True)
    loop.start()
    bench_common.announce_listening(daemon.sock.getsockname()[1])
    process_lifetime.wait_for_stop_request()
    daemon.shutdown()


def connect(target):
    ns = Pyro4.Proxy("PYRO:%s@%s" % (constants.NAMESERVER_NAME, target))
    ns._pyroBind()  # connect now, not inside the first timed call
    return ns


def lookup_in_turn(ns):
    names = itertools.cycle(LOOKUP_NAMES)
    return lambda: ns.lookup(next(names))


def register_and_remove(ns):
    uri = uri_for(CHURN_NAME)

    def pair():
        ns.register(CHURN_NAME, uri)
        ns.remove(CHURN_NAME)
    return pair


class ListPoller(threading.Thread):
    """Calls ns.list(prefix) back to back on its own proxy, noting when each name first shows up,
    and wakes a waiting writer when the listing changes."""

    def __init__(self, target, prefix):
        super().__init__(name="ns-list-poller", daemon=True)
        self._target = target
        self._prefix = prefix
        self._changed = threading.Condition()
        self._listed = frozenset()
        self._first_seen = {}
        self._stopping = False
        self._error = None

    def run(self):
        try:
            ns = connect(self._target)
            clock = time.perf_counter_ns
            while not self._stopping:
                listed = frozenset(ns.list(prefix=self._prefix))
                now = clock()
                if listed != self._listed:
                    with self._changed:
                        for name in listed - self._listed:
                            self._first_seen.setdefault(name, now)
                        self._listed = listed
                        self._changed.notify_all()
        except Exception as error:  # handed to the writer, which is waiting on us
            with self._changed:
                self._error = error
                self._changed.notify_all()

    def wait_seen(self, name):
        """perf_counter_ns at the end of the first list that showed name."""
        with self._changed:
            self._wait_for(lambda: name in self._first_seen)
            return self._first_seen[name]

    def wait_gone(self, name):
        with self._changed:
            self._wait_for(lambda: name not in self._listed)
            self._first_seen.pop(name, None)

    def stop(self):
        self._stopping = True
        self.join()

    def _wait_for(self, predicate):
        if not self._changed.wait_for(lambda: predicate() or self._error is not None, timeout=10):
            raise TimeoutError("the poller did not see the change within 10 s")
        if self._error is not None:
            raise self._error


def measure_polled_registrations(target, seconds):
    """Times registrations until a poller of ns.list sees them: warm-up, then at least `seconds`
    and at least MINIMUM_WATCH_EVENTS. Returns (latencies_ns, count, measured_seconds)."""
    ns = connect(target)
    poller = ListPoller(target, WATCH_PREFIX)
    poller.start()
    sequence = itertools.count(1)
    clock = time.perf_counter_ns

    def round_trip():
        name = "%sn%d" % (WATCH_PREFIX, next(sequence))
        start = clock()
        ns.register(name, uri_for(name))
        seen = poller.wait_seen(name)
        ns.remove(name)
        poller.wait_gone(name)
        return seen - start

    warm_end = clock() + int(bench_common.WARMUP_SECONDS * 1e9)
    while clock() < warm_end:
        round_trip()
    latencies = []
    start = clock()
    end = start + int(seconds * 1e9)
    while clock() < end or len(latencies) < MINIMUM_WATCH_EVENTS:
        latencies.append(round_trip())
    measured = (clock() - start) / 1e9
    poller.stop()
    return latencies, len(latencies), measured


def run_client(target, workload, seconds, concurrency):
    system = SYSTEM
    if workload in ("lookup-latency", "lookup-throughput"):
        setup = connect(target)
        for name in LOOKUP_NAMES:
            setup.register(name, uri_for(name))
        if workload == "lookup-latency":
            latencies, count, measured = bench_common.measure_sequential(lookup_in_turn(setup), seconds)
        else:
            latencies, count, measured = bench_common.measure_threaded(
                lambda: lookup_in_turn(connect(target)), concurrency, seconds)  # one proxy per thread
    elif workload == "register-unregister":
        latencies, count, measured = bench_common.measure_sequential(register_and_remove(connect(target)), seconds)
    else:
        system = SYSTEM + " (polling list)"
        latencies, count, measured = measure_polled_registrations(target, seconds)
    return bench_common.result_line(system, workload, latencies, count, measured)


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
