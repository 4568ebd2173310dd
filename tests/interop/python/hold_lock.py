"""A stock grpcio client that holds a RemoteModel model's lock by an open HoldLock stream.

It prints ``HELD <holder>`` once the server's first LockEvent says the lock is held, then waits
until the stream ends (printing ``ENDED <STATUS> <details>``: ABORTED when an admin broke the
lock) or until SIGTERM/SIGINT or EOF on a piped stdin (it then cancels the stream, which releases
the lock). Unsigned: for a model server with authentication off. Usage:

    /usr/bin/python3 hold_lock.py --target 127.0.0.1:PORT --model ticker --caller NAME

Exit code 0 when the lock was held, 1 when it was refused (``REFUSED <STATUS> <details>``).
"""

import argparse
import os
import sys
import threading

import grpc

import process_lifetime
import protos_loader

PROTOS = protos_loader.load()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="HOST:PORT of the model server")
    parser.add_argument("--model", required=True)
    parser.add_argument("--caller", required=True, help="the name the caller gives (remotemodel-caller)")
    args = parser.parse_args(argv)
    with grpc.insecure_channel(args.target) as channel:
        stub = PROTOS.model_pb2_grpc.ModelStub(channel)
        call = stub.HoldLock(PROTOS.model_pb2.HoldLockRequest(model=args.model), metadata=[("remotemodel-caller", args.caller)])
        try:
            first = next(call)
        except grpc.RpcError as error:
            print("REFUSED %s %s" % (error.code().name, error.details()), flush=True)
            return 1
        print("HELD %s" % first.lock.holder, flush=True)

        def watch():
            try:
                for _ in call:
                    pass
                print("ENDED OK", flush=True)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.CANCELLED:
                    print("ENDED %s %s" % (error.code().name, error.details()), flush=True)
            finally:
                stopped.set()

        stopped = threading.Event()
        threading.Thread(target=watch, name="lock-stream", daemon=True).start()
        process_lifetime.watch_for_stop(stopped.set)
        while not stopped.wait(0.5):  # a timed wait keeps the main thread responsive to signals
            pass
        call.cancel()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Leaves without interpreter shutdown: process_lifetime's daemon thread may still be blocked
    # reading a piped stdin, and Python aborts (SIGABRT) when shutdown finds its buffer locked.
    os._exit(code)
