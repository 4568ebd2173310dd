"""A stock grpcio client that opens one Echo.Stream and holds it, for tests that freeze a peer.

It asks for two replies ten minutes apart, prints ``HOLDING`` once the first has arrived, and then
waits (grpcio answering the server's keep-alive pings) until SIGTERM/SIGINT or EOF on a piped
stdin. A test that stops it with SIGSTOP leaves a connection that no longer answers. Usage:

    /usr/bin/python3 hold_stream.py --target 127.0.0.1:PORT
"""

import argparse
import sys

import grpc

import process_lifetime
import protos_loader

PROTOS = protos_loader.load()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="HOST:PORT of the Echo server")
    args = parser.parse_args(argv)
    with grpc.insecure_channel(args.target) as channel:
        stub = PROTOS.echo_pb2_grpc.EchoStub(channel)
        call = stub.Stream(PROTOS.echo_pb2.StreamRequest(count=2, interval_ms=600000))
        next(call)
        sys.stdout.write("HOLDING\n")
        sys.stdout.flush()
        process_lifetime.wait_for_stop_request()
        call.cancel()
    return 0


if __name__ == "__main__":
    sys.exit(main())
