"""Runs an interop client's cases and prints one JSON line per case; shared by echo_client.py and
signed_client.py.

A client defines its cases as methods of one object, raises CaseFailed (through expect) when a
check fails, and hands its main to main() below. Each case runs on its own daemon thread with its
own time limit, so one hang is reported as that case failing instead of hanging the whole run.
Output, one object per line: {"case": ..., "ok": true|false, "detail": ...}. Exit code 0 when
every requested case ran (whatever its outcome; the caller asserts per case), 2 on usage errors.
"""

import argparse
import json
import os
import sys
import threading

import grpc

CASE_TIMEOUT_SECONDS = 10.0


class CaseFailed(Exception):
    """Raised by a case to report what it expected and what it got."""


def expect(condition, detail):
    if not condition:
        raise CaseFailed(detail)


def run_case(cases, name, timeout):
    """Runs one case on a daemon thread; returns the result dict, never raises."""
    outcome = {}

    def body():
        try:
            outcome["detail"] = getattr(cases, name)()
            outcome["ok"] = True
        except CaseFailed as failure:
            outcome.update(ok=False, detail=str(failure))
        except grpc.RpcError as error:
            outcome.update(ok=False, detail="unexpected RPC error %s: %r" % (error.code().name, error.details()))
        except Exception as error:  # report, never crash the runner
            outcome.update(ok=False, detail="%s: %s" % (type(error).__name__, error))

    worker = threading.Thread(target=body, name="case-" + name, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return {"case": name, "ok": False, "detail": "timed out after %.0f s" % timeout}
    return {"case": name, "ok": outcome["ok"], "detail": outcome["detail"]}


def main(argv, description, target_help, case_names, make_cases):
    """Parses --target, --case and --case-timeout, builds the cases with make_cases(target) and
    runs the requested ones in order; returns the exit code."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--target", required=True, help=target_help)
    parser.add_argument("--case", choices=case_names, help="run only this case (default: all)")
    parser.add_argument("--case-timeout", type=float, default=CASE_TIMEOUT_SECONDS)
    args = parser.parse_args(argv)  # exits with 2 on usage errors

    cases = make_cases(args.target)
    abandoned = False
    for name in [args.case] if args.case else case_names:
        result = run_case(cases, name, args.case_timeout)
        abandoned = abandoned or result["detail"].startswith("timed out")
        sys.stdout.write(json.dumps(result) + "\n")  # ASCII-only JSON, whatever the locale
        sys.stdout.flush()
    if abandoned:
        os._exit(0)  # a hung case thread may hold grpc resources that would block a clean exit
    return 0
