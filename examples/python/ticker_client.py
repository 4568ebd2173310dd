"""Drives a RemoteModel model from Python with nothing but grpcio: finds it by name, describes it,
subscribes to its changes and, signed with a key, changes it.

Generate the stubs once (python3-grpc-tools), then run it while the ticker demo runs:

    mkdir -p gen && python3 -m grpc_tools.protoc -I protos --python_out=gen --grpc_python_out=gen \\
        protos/remotemodel/v1/naming.proto protos/remotemodel/v1/model.proto
    export REMOTEMODEL_KEY=$(dotnet run --project src/NameServer -- keys generate py --scope control --scope read | tail -n 1)
    PYTHONPATH=gen python3 examples/python/ticker_client.py --rate 5

The key (`id:base64secret`) comes from the environment, never the command line. Reads need no key; without one the Modify is skipped.
Prints what it sees, one line each (a value that is not VALID is marked with its quality and why:
`Temperature=121.5 [ALARM: above high alarm limit 120]`), and exits 0 once its own change came back through the
subscription, or 1 when something failed.
"""

import argparse
import getpass
import os
import queue
import socket
import sys
import threading

import grpc

from remotemodel.v1 import model_pb2, model_pb2_grpc, naming_pb2, naming_pb2_grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from remotemodel_signing import NONCE_HEADER, Key, ResponseOpener, check_end, signed_metadata  # noqa: E402

MODIFY_PATH = "/remotemodel.v1.Model/Modify"
TIMEOUT_SECONDS = 10.0


def target_of(address):
    """grpcio wants host:port; RemoteModel's addresses are http://host:port."""
    return address.split("://", 1)[-1]


def show(value):
    """A Value as people read it."""
    kind = value.WhichOneof("kind")
    return repr(getattr(value, kind)) if kind else "null"


def state_of(notification, name):
    """The ValueState of a notification's value: its entry in `states`, or else (the protocol's rule for
    an absent entry) VALID, with no reason, changed at its source at the notification's own time."""
    if name in notification.states:
        return notification.states[name]
    return model_pb2.ValueState(quality=model_pb2.QUALITY_VALID, source_time=notification.time)


def quality_mark(notification, name):
    """ "[ALARM: above high alarm limit 120]" after a value that is not VALID (nothing from a server that does not say)."""
    state = state_of(notification, name)
    if state.quality in (model_pb2.QUALITY_UNSPECIFIED, model_pb2.QUALITY_VALID):
        return ""
    quality = model_pb2.Quality.Name(state.quality)[len("QUALITY_"):]
    return " [%s: %s]" % (quality, state.reason) if state.reason else " [%s]" % quality


def describe(notification):
    kind = model_pb2.Notification.Kind.Name(notification.kind)
    values = " ".join("%s=%s%s" % (name, show(notification.values[name]), quality_mark(notification, name)) for name in sorted(notification.values))
    by = " by %s (%s)" % (notification.changed_by, notification.cause) if notification.changed_by else ""
    epoch = " epoch %s" % notification.epoch if notification.kind in (model_pb2.Notification.SNAPSHOT, model_pb2.Notification.RESYNC) and notification.epoch else ""
    return "%s v%d%s %s%s" % (kind, notification.version, epoch, values, by)


def read(subscription, seen):
    """Puts each notification on `seen` until the subscription ends (cancelled, or the server went)."""
    try:
        for notification in subscription:
            seen.put(notification)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.CANCELLED:
            seen.put(error)


def modify_signed(channel, key, caller, model, rate):
    """Modify(Rate=rate), signed with `key`; the answer's seals are checked. Returns the new version."""
    request = model_pb2.ModifyRequest(model=model, values={"Rate": model_pb2.Value(double_value=rate)}).SerializeToString()
    metadata = signed_metadata(key, MODIFY_PATH, request) + (("remotemodel-caller", caller),)
    opener = ResponseOpener(key.secret, dict(metadata)[NONCE_HEADER], model_pb2.ModifyResponse.FromString)
    call = channel.unary_unary(MODIFY_PATH, request_serializer=None, response_deserializer=opener)
    reply, rpc = call.with_call(request, metadata=metadata, timeout=TIMEOUT_SECONDS)
    check_end(key.secret, opener.nonce, opener.count, rpc.code(), rpc.details(), rpc.trailing_metadata())
    return reply.version


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ns", default=os.environ.get("REMOTEMODEL_NAMESERVER", "http://127.0.0.1:9090"), help="the name server")
    parser.add_argument("--model", default="ticker", help="the model's name in the registry")
    parser.add_argument("--rate", type=float, default=5.0, help="the Rate to set")
    args = parser.parse_args()
    key = Key.from_environment() if os.environ.get("REMOTEMODEL_KEY") else None

    with grpc.insecure_channel(target_of(args.ns)) as names:
        registration = naming_pb2_grpc.NamingStub(names).Lookup(
            naming_pb2.LookupRequest(name=args.model), timeout=TIMEOUT_SECONDS).registration
    print("found %s (%s) at %s" % (registration.name, registration.metadata.get("type", "?"), registration.endpoints[0]))

    with grpc.insecure_channel(target_of(registration.endpoints[0])) as channel:
        models = model_pb2_grpc.ModelStub(channel)
        description = models.Describe(model_pb2.DescribeRequest(model=args.model), timeout=TIMEOUT_SECONDS)
        for prop in description.properties:
            print("property %s%s%s" % (prop.name, " [%s]" % prop.unit if prop.unit else "", " read-only" if prop.read_only else ""))

        subscription = models.Subscribe(model_pb2.SubscribeRequest(model=args.model, viewer_name="python-example"))
        seen = queue.Queue()
        threading.Thread(target=read, args=(subscription, seen), daemon=True).start()
        try:
            return watch_and_modify(channel, key, args, seen)
        finally:
            subscription.cancel()


def next_notification(seen):
    notification = seen.get(timeout=TIMEOUT_SECONDS)
    if isinstance(notification, Exception):
        raise notification
    print(describe(notification))
    return notification


def watch_and_modify(channel, key, args, seen):
    """Prints the snapshot; with a key, changes Rate and prints changes until its own comes back."""
    next_notification(seen)
    if key is None:
        print("no $REMOTEMODEL_KEY: not changing anything")
        return 0

    caller = "%s@%s" % (getpass.getuser(), socket.gethostname())
    version = modify_signed(channel, key, caller, args.model, args.rate)
    print("modified Rate=%s at v%d (answer verified with key %s)" % (args.rate, version, key.id))
    while True:
        notification = next_notification(seen)
        if notification.version >= version and notification.changed_by.startswith(caller):
            return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (grpc.RpcError, queue.Empty, ValueError) as failure:
        detail = "%s: %s" % (failure.code().name, failure.details()) if isinstance(failure, grpc.RpcError) else str(failure) or "timed out"
        sys.stderr.write("ticker_client: %s\n" % detail)
        sys.exit(1)
