"""Measurement helpers shared by the Python benchmark peers (grpcio_bench.py, pyro4_bench.py,
pyro4_ns_bench.py, pyro4_model_bench.py).

All peers must measure the same way for the comparison with the C# transport to be fair:
a warm-up of WARMUP_SECONDS whose results are thrown away, then a measured window; latency
per call from time.perf_counter_ns; one JSON line on stdout with the result, which the C#
harness (bench/RemoteModel.Bench/PythonPeers.cs) parses.
"""

import argparse
import json
import math
import statistics
import sys
import threading
import time

WARMUP_SECONDS = 0.5
PAYLOAD = bytes(range(16))  # 16-byte payload for every unary call and stream item
WORKLOADS = ("unary-latency", "unary-throughput", "stream")
DEFAULT_CONCURRENCY = 32


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def result_line(system, workload, latencies_ns, count, measured_seconds):
    """The JSON result object; latencies_ns may be None (stream: only a rate is meaningful)."""
    median_us = p99_us = None
    if latencies_ns:
        ordered = sorted(latencies_ns)
        median_us = round(statistics.median(ordered) / 1000.0, 1)
        p99_us = round(percentile(ordered, 0.99) / 1000.0, 1)
    return {
        "system": system,
        "workload": workload,
        "median_us": median_us,
        "p99_us": p99_us,
        "ops_per_sec": round(count / measured_seconds, 1) if measured_seconds > 0 else 0.0,
        "count": count,
    }


def emit(result):
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def announce_listening(port):
    """The single line the harness waits for before starting the client."""
    sys.stdout.write("LISTENING %d\n" % port)
    sys.stdout.flush()


def measure_sequential(call, seconds):
    """Calls call() back to back: warm-up, then a measured window of `seconds`.
    Returns (latencies_ns, count, measured_seconds)."""
    clock = time.perf_counter_ns
    warm_end = clock() + int(WARMUP_SECONDS * 1e9)
    while clock() < warm_end:
        call()
    latencies = []
    record = latencies.append
    start = clock()
    end = start + int(seconds * 1e9)
    now = start
    while now < end:
        before = now
        call()
        now = clock()
        record(now - before)
    return latencies, len(latencies), (now - start) / 1e9


def measure_threaded(make_call, concurrency, seconds):
    """Runs `concurrency` threads, each calling its own make_call()-built callable back to back.
    Every thread warms up, then records latencies inside one shared measured window.
    Returns (latencies_ns, count, measured_seconds)."""
    clock = time.perf_counter_ns
    ready = threading.Barrier(concurrency + 1)
    per_thread = [None] * concurrency
    window = {}

    def worker(index):
        call = make_call()
        ready.wait()
        while clock() < window["start"]:
            call()
        latencies = []
        record = latencies.append
        end = window["end"]
        now = clock()
        while now < end:
            before = now
            call()
            now = clock()
            record(now - before)
        per_thread[index] = latencies

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    window["start"] = clock() + int(WARMUP_SECONDS * 1e9)
    window["end"] = window["start"] + int(seconds * 1e9)
    ready.wait()
    for thread in threads:
        thread.join()
    latencies = [value for chunk in per_thread for value in chunk]
    return latencies, len(latencies), seconds


def measure_stream(iterator, seconds):
    """Drains items from iterator: warm-up, then counts items for `seconds`.
    Returns (count, measured_seconds)."""
    clock = time.perf_counter_ns
    warm_end = clock() + int(WARMUP_SECONDS * 1e9)
    for _ in iterator:
        if clock() >= warm_end:
            break
    count = 0
    start = clock()
    end = start + int(seconds * 1e9)
    now = start
    for _ in iterator:
        count += 1
        if count & 63 == 0:  # reading the clock per item would cost as much as the item
            now = clock()
            if now >= end:
                break
    now = clock()
    return count, (now - start) / 1e9


def parser_with_modes(description, extra_client_arguments=None, extra_common_arguments=None, workloads=WORKLOADS):
    """argparse with `server --port P` and `client --target T --workload W --seconds S [--concurrency C]`,
    W one of `workloads` (the transport's by default)."""
    parser = argparse.ArgumentParser(description=description)
    modes = parser.add_subparsers(dest="mode", required=True)
    server = modes.add_parser("server", help="serve and print LISTENING <port>")
    server.add_argument("--port", type=int, default=0)
    server.add_argument("--host", default="127.0.0.1")
    client = modes.add_parser("client", help="run one workload and print one JSON line")
    client.add_argument("--target", required=True, help="HOST:PORT")
    client.add_argument("--workload", required=True, choices=workloads)
    client.add_argument("--seconds", type=float, default=5.0)
    client.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    for sub in (server, client):
        if extra_common_arguments:
            extra_common_arguments(sub)
    if extra_client_arguments:
        extra_client_arguments(client)
    return parser


def split_target(target):
    host, _, port = target.rpartition(":")
    return host, int(port)
