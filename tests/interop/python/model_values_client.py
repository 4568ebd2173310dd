"""A stock grpcio client that reads what a RemoteModel model server says about its values: the
quality and source time of each value, the host's epoch, and resuming a subscription without a
snapshot (or the RESYNC that says why not).

The C# tests launch it against a model server hosting an "oven" whose Temperature has alarm limits
(high alarm 120) and callers who name themselves (no keys). Usage:

    /usr/bin/python3 model_values_client.py --target 127.0.0.1:PORT [--case NAME]

Prints one JSON object per case and line: {"case": ..., "ok": true|false, "detail": ...}.
Case names and checks mirror tests/interop/node/model_values_client.js.
"""

import queue
import sys
import threading

import grpc

import case_runner
import protos_loader
from case_runner import expect

PROTOS = protos_loader.load()
model_pb2 = PROTOS.model_pb2
model_pb2_grpc = PROTOS.model_pb2_grpc

MODEL = "oven"
RPC_TIMEOUT_SECONDS = 8.0
CALLER = (("remotemodel-caller", "python-interop"),)
CASES = ["quality", "epoch", "resume", "resync"]


def state_of(notification, name):
    """The ValueState of a notification's value: its entry in `states`, or else VALID, with no reason,
    changed at its source at the notification's own time (the server leaves such states out)."""
    if name in notification.states:
        return notification.states[name]
    return model_pb2.ValueState(quality=model_pb2.QUALITY_VALID, source_time=notification.time)


class Subscription:
    """A subscription read on its own thread, so a read can time out."""

    def __init__(self, stub, request):
        self.call = stub.Subscribe(request)
        self.seen = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for notification in self.call:
                self.seen.put(notification)
        except grpc.RpcError as error:
            self.seen.put(error)

    def next(self):
        item = self.seen.get(timeout=RPC_TIMEOUT_SECONDS)
        if isinstance(item, Exception):
            raise item
        return item

    def cancel(self):
        self.call.cancel()


class Cases:
    def __init__(self, target):
        self.channel = grpc.insecure_channel(target)
        self.stub = model_pb2_grpc.ModelStub(self.channel)

    def modify(self, temperature):
        return self.stub.Modify(
            model_pb2.ModifyRequest(model=MODEL, values={"Temperature": model_pb2.Value(double_value=temperature)}),
            metadata=CALLER, timeout=RPC_TIMEOUT_SECONDS)

    def quality(self):
        description = self.stub.Describe(model_pb2.DescribeRequest(model=MODEL), timeout=RPC_TIMEOUT_SECONDS)
        temperature = [p for p in description.properties if p.name == "Temperature"][0]
        expect(temperature.high_alarm.double_value == 120 and temperature.high_warning.double_value == 100,
               "Describe gives the limits: %s" % temperature)
        modified = self.modify(130.5)
        state = modified.states["Temperature"]
        expect(state.quality == model_pb2.QUALITY_ALARM, "Modify's answer says ALARM: %s" % modified)
        query = self.stub.Query(model_pb2.QueryRequest(model=MODEL, properties=["Temperature"]), timeout=RPC_TIMEOUT_SECONDS)
        state = query.states["Temperature"]
        expect(state.quality == model_pb2.QUALITY_ALARM and "120" in state.reason, "Query says ALARM beyond 120: %s" % query)
        expect(state.source_time.seconds > 0, "Query gives the source time: %s" % state)
        back = self.modify(50)
        expect(back.states["Temperature"].quality == model_pb2.QUALITY_VALID, "back to VALID: %s" % back)
        return "ALARM at 130.5 (%s), VALID at 50" % query.states["Temperature"].reason

    def epoch(self):
        described = self.stub.Describe(model_pb2.DescribeRequest(model=MODEL), timeout=RPC_TIMEOUT_SECONDS).epoch
        queried = self.stub.Query(model_pb2.QueryRequest(model=MODEL), timeout=RPC_TIMEOUT_SECONDS).epoch
        subscription = Subscription(self.stub, model_pb2.SubscribeRequest(model=MODEL))
        try:
            snapshot = subscription.next()
        finally:
            subscription.cancel()
        expect(described and described == queried == snapshot.epoch,
               "one epoch everywhere: describe %r query %r snapshot %r" % (described, queried, snapshot.epoch))
        return described

    def resume(self):
        subscription = Subscription(self.stub, model_pb2.SubscribeRequest(model=MODEL))
        snapshot = subscription.next()
        subscription.cancel()
        missed = [self.modify(t).version for t in (60.0, 105.5, 70.0)]
        resumed = Subscription(self.stub, model_pb2.SubscribeRequest(
            model=MODEL, resume_epoch=snapshot.epoch, resume_after_version=snapshot.version))
        try:
            first = resumed.next()
            expect(first.kind == model_pb2.Notification.RESUMED and first.version == snapshot.version and not first.values,
                   "starts with RESUMED at v%d: %s" % (snapshot.version, first))
            replayed = [resumed.next() for _ in missed]
        finally:
            resumed.cancel()
        expect([n.version for n in replayed] == missed, "exactly the missed versions %s: %s" % (missed, [n.version for n in replayed]))
        qualities = [model_pb2.Quality.Name(state_of(n, "Temperature").quality) for n in replayed]
        expect(qualities == ["QUALITY_VALID", "QUALITY_WARNING", "QUALITY_VALID"], "each with its quality: %s" % qualities)
        # A VALID value that changed then carries no state: its source time is the notification's.
        explicit = ["Temperature" in n.states for n in replayed]
        expect(explicit == [False, True, False], "a state only where it is not VALID: %s" % explicit)
        expect(all(state_of(n, "Temperature").source_time == n.time for n in replayed), "each changed at its source then: %s" % replayed)
        return "replayed v%s" % ",".join(str(v) for v in missed)

    def resync(self):
        epoch = self.stub.Query(model_pb2.QueryRequest(model=MODEL), timeout=RPC_TIMEOUT_SECONDS).epoch
        subscription = Subscription(self.stub, model_pb2.SubscribeRequest(model=MODEL, resume_epoch="an-epoch-before-a-restart", resume_after_version=3))
        try:
            first = subscription.next()
        finally:
            subscription.cancel()
        expect(first.kind == model_pb2.Notification.RESYNC and first.resync_reason == model_pb2.Notification.EPOCH_CHANGED
               and first.epoch == epoch and "Temperature" in first.values,
               "a RESYNC snapshot saying the epoch changed: %s" % first)
        return "RESYNC EPOCH_CHANGED at v%d" % first.version


if __name__ == "__main__":
    sys.exit(case_runner.main(sys.argv[1:], __doc__.splitlines()[0], "the model server, host:port", CASES, Cases))
