"""A stock grpcio client that signs its calls and checks the seals of the answers.

It signs with examples/python/remotemodel_signing.py, the scheme of docs/security.md written from
that page alone (stdlib hmac and hashlib, no C# code), to prove a client in another language can
authenticate against the C# server. The C# tests launch it against a C# Echo server that verifies calls. Usage:

    REMOTEMODEL_KEY=id:base64secret /usr/bin/python3 signed_client.py --target 127.0.0.1:PORT [--case NAME]

The key comes from the environment, never the command line, as the page requires of secrets.
Prints one JSON object per case and line: {"case": ..., "ok": true|false, "detail": ...}.
Exit code 0 when every requested case ran (whatever its outcome; the caller asserts per case),
2 on usage errors. Case names and checks mirror tests/interop/node/signed_client.js.
"""

import os
import sys
import time
from concurrent import futures

import grpc

import case_runner
import protos_loader
from case_runner import CaseFailed, expect

# The scheme itself is the Python module RemoteModel ships for clients (examples/python): every
# case here proves it against the C# server.
sys.path.insert(0, os.path.join(protos_loader.repo_root(), "examples", "python"))
from remotemodel_signing import (  # noqa: E402
    NONCE_HEADER, STATUS_SEAL_HEADER, Key, ResponseOpener, Unverified, check_end, message_seal, open_sealed,
    request_signature, signed_metadata, status_seal)

PROTOS = protos_loader.load()
echo_pb2 = PROTOS.echo_pb2

RPC_TIMEOUT_SECONDS = 8.0
UNARY_PATH = "/remotemodel.testing.v1.Echo/Unary"
STREAM_PATH = "/remotemodel.testing.v1.Echo/Stream"


class Outcome:
    """How one call ended, after its seals were checked."""

    def __init__(self, code, details, replies, end_sealed, unverified):
        self.code = code
        self.details = details
        self.replies = replies
        self.end_sealed = end_sealed
        self.unverified = unverified  # why the answer could not be verified, or None

    def describe(self):
        return "%s %r" % (self.code.name, self.details)


def _finish(opener, call, replies):
    """Checks the end of a finished call (which may be the RpcError it raised)."""
    code, details = call.code(), call.details() or ""
    unverified, sealed = opener.failure, False
    if unverified is None:
        try:
            sealed = check_end(opener.secret, opener.nonce, opener.count, code, details, call.trailing_metadata())
        except Unverified as failure:
            unverified = str(failure)
    return Outcome(code, details, replies, sealed, unverified)


def call_unary(channel, metadata, message, secret, path=UNARY_PATH, parse=echo_pb2.EchoReply.FromString):
    """Sends `message` (already serialized bytes: grpcio passes bytes through without a request
    serializer) with `metadata`, and checks the answer's seals with `secret`."""
    nonce = dict(metadata)[NONCE_HEADER]
    opener = ResponseOpener(secret, nonce, parse)
    multicallable = channel.unary_unary(path, request_serializer=None, response_deserializer=opener)
    try:
        reply, call = multicallable.with_call(message, metadata=metadata, timeout=RPC_TIMEOUT_SECONDS)
        return _finish(opener, call, [reply])
    except grpc.RpcError as error:
        return _finish(opener, error, [])


def call_stream(channel, metadata, message, secret, path=STREAM_PATH, parse=echo_pb2.EchoReply.FromString):
    nonce = dict(metadata)[NONCE_HEADER]
    opener = ResponseOpener(secret, nonce, parse)
    multicallable = channel.unary_stream(path, request_serializer=None, response_deserializer=opener)
    call = multicallable(message, metadata=metadata, timeout=RPC_TIMEOUT_SECONDS)
    replies = []
    try:
        for reply in call:
            replies.append(reply)
    except grpc.RpcError:
        pass  # the call is the error; its status is read below
    return _finish(opener, call, replies)


def expect_verified_ok(outcome):
    expect(outcome.unverified is None, "the answer could not be verified: %s" % outcome.unverified)
    expect(outcome.code == grpc.StatusCode.OK, "expected OK, got %s" % outcome.describe())


def expect_refused(outcome, *words):
    """The call was refused UNAUTHENTICATED, with every one of `words` in the message."""
    expect(outcome.code == grpc.StatusCode.UNAUTHENTICATED,
           "expected UNAUTHENTICATED, got %s" % outcome.describe())
    missing = [word for word in words if word not in outcome.details]
    expect(not missing, "the message %r does not mention %s" % (outcome.details, ", ".join(missing)))
    expect(outcome.unverified is None, "the refusal carries a wrong seal: %s" % outcome.unverified)
    return "UNAUTHENTICATED: %s" % outcome.details


# --- the worked example of docs/security.md, copied from the page ------------------------------

EXAMPLE_KEY = Key("example", bytes(range(32)))
EXAMPLE_PATH = "/remotemodel.v1.Model/Modify"
EXAMPLE_TIMESTAMP = "1795000000000"
EXAMPLE_NONCE = "000102030405060708090a0b0c0d0e0f"
EXAMPLE_REQUEST = bytes.fromhex("0a067469636b657212110a04526174651209190000000000001440")
EXAMPLE_SIGNATURE = "3524894f517fcc1dc315b65c2239c30d47cd9083faa5c47fd7feccc284393d22"
EXAMPLE_RESPONSE = bytes.fromhex("082b12110a04526174651209190000000000001440")
EXAMPLE_SEALED_RESPONSE = bytes.fromhex(
    "082b12110a04526174651209190000000000001440"
    "fa7f207e3dc08bef12dcb5fda0cc5b90b3ad473f764179274aa4769b5721cfc00e7d1f")
EXAMPLE_STATUS_SEAL = "1a583a9122ce637c422f2f29068c4fe5bdcacf4fa25ea69f7e61470fe51304f6"


def _rejects(thunk):
    try:
        thunk()
    except Unverified:
        return True
    return False


class ImpostorServer:
    """A grpcio Echo server without the key: it answers signed calls sealed with another secret,
    or not at all, so the client can show it refuses such answers over a real connection."""

    def __init__(self, secret, seal):
        self.secret = secret
        self.seal = seal
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        handler = grpc.unary_unary_rpc_method_handler(self._unary)  # no serializers: bytes in, bytes out
        self.server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("remotemodel.testing.v1.Echo", {"Unary": handler}),))
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    def __enter__(self):
        self.server.start()
        return self

    def __exit__(self, *_):
        self.server.stop(None)

    def _unary(self, request, context):
        nonce = dict(context.invocation_metadata()).get(NONCE_HEADER, "")
        reply = echo_pb2.EchoReply(payload=echo_pb2.EchoRequest.FromString(request).payload).SerializeToString()
        if not self.seal:
            return reply
        context.set_trailing_metadata(((STATUS_SEAL_HEADER, status_seal(self.secret, nonce, 1, 0, "")),))
        return reply + message_seal(self.secret, nonce, 0, reply)


# --- cases -------------------------------------------------------------------------------


class Cases:
    """One method per case; each opens its own channel so one case cannot poison the next."""

    def __init__(self, target, key):
        self.target = target
        self.key = key

    def _channel(self, target=None):
        return grpc.insecure_channel(target or self.target)

    def vector(self):
        k = EXAMPLE_KEY
        signature = request_signature(k.secret, EXAMPLE_PATH, EXAMPLE_TIMESTAMP, EXAMPLE_NONCE, k.id, EXAMPLE_REQUEST)
        expect(signature == EXAMPLE_SIGNATURE, "signature %s, the page says %s" % (signature, EXAMPLE_SIGNATURE))
        sealed = EXAMPLE_RESPONSE + message_seal(k.secret, EXAMPLE_NONCE, 0, EXAMPLE_RESPONSE)
        expect(sealed == EXAMPLE_SEALED_RESPONSE,
               "sealed response %s, the page says %s" % (sealed.hex(), EXAMPLE_SEALED_RESPONSE.hex()))
        opened = open_sealed(k.secret, EXAMPLE_NONCE, 0, EXAMPLE_SEALED_RESPONSE)
        expect(opened == EXAMPLE_RESPONSE, "opening the sealed response gave %s" % opened.hex())
        end = status_seal(k.secret, EXAMPLE_NONCE, 1, 0, "")
        expect(end == EXAMPLE_STATUS_SEAL, "status seal %s, the page says %s" % (end, EXAMPLE_STATUS_SEAL))
        return "signature, response seal and status seal equal the worked example"

    def signed_unary(self):
        message = echo_pb2.EchoRequest(payload=b"signed hello").SerializeToString()
        with self._channel() as channel:
            outcome = call_unary(channel, signed_metadata(self.key, UNARY_PATH, message), message, self.key.secret)
        expect_verified_ok(outcome)
        expect(outcome.replies[0].payload == b"signed hello", "payload came back as %r" % outcome.replies[0].payload)
        expect(outcome.end_sealed, "the OK end was not sealed")
        return "OK; response seal (SEQ 0) and status seal (COUNT 1) verified"

    def signed_stream(self):
        count = 5
        message = echo_pb2.StreamRequest(count=count, payload_size=7).SerializeToString()
        with self._channel() as channel:
            outcome = call_stream(channel, signed_metadata(self.key, STREAM_PATH, message), message, self.key.secret)
        expect_verified_ok(outcome)
        sequences = [reply.sequence for reply in outcome.replies]
        expect(sequences == list(range(count)), "expected replies 0..%d, got %s" % (count - 1, sequences))
        return "%d replies, each seal verified with SEQ 0..%d; status seal (COUNT %d) verified" % (count, count - 1, count)

    def signed_error(self):
        # A handler's error after a verified request is sealed too, over the decoded unicode message.
        text = "не найдено: 50% ✓"
        message = echo_pb2.EchoRequest(fail=echo_pb2.Failure(code=5, message=text)).SerializeToString()
        with self._channel() as channel:
            outcome = call_unary(channel, signed_metadata(self.key, UNARY_PATH, message), message, self.key.secret)
        expect(outcome.unverified is None, "the answer could not be verified: %s" % outcome.unverified)
        expect(outcome.code == grpc.StatusCode.NOT_FOUND and outcome.details == text,
               "expected NOT_FOUND %r, got %s" % (text, outcome.describe()))
        expect(outcome.end_sealed, "the error end was not sealed")
        return "NOT_FOUND with its unicode message; status seal (COUNT 0) verified"

    def tampered_body(self):
        signed = echo_pb2.EchoRequest(payload=b"pay 10").SerializeToString()
        sent = echo_pb2.EchoRequest(payload=b"pay 99").SerializeToString()
        with self._channel() as channel:
            outcome = call_unary(channel, signed_metadata(self.key, UNARY_PATH, signed), sent, self.key.secret)
        return expect_refused(outcome, "signature")

    def bad_signature(self):
        wrong = Key(self.key.id, os.urandom(32))
        message = echo_pb2.EchoRequest(payload=b"x").SerializeToString()
        with self._channel() as channel:
            outcome = call_unary(channel, signed_metadata(wrong, UNARY_PATH, message), message, wrong.secret)
        return expect_refused(outcome, "signature")

    def replay(self):
        message = echo_pb2.EchoRequest(payload=b"once").SerializeToString()
        metadata = signed_metadata(self.key, UNARY_PATH, message)
        with self._channel() as channel:
            first = call_unary(channel, metadata, message, self.key.secret)
            second = call_unary(channel, metadata, message, self.key.secret)
        expect_verified_ok(first)
        return "first OK, second " + expect_refused(second, "replay")

    def stale(self):
        five_minutes_ago = str(int(time.time() * 1000) - 5 * 60 * 1000)
        message = echo_pb2.EchoRequest(payload=b"late").SerializeToString()
        with self._channel() as channel:
            outcome = call_unary(channel, signed_metadata(self.key, UNARY_PATH, message, timestamp=five_minutes_ago),
                                 message, self.key.secret)
        return expect_refused(outcome, "ago")

    def unknown_key(self):
        stranger = Key("no-such-key", os.urandom(32))
        message = echo_pb2.EchoRequest(payload=b"who").SerializeToString()
        with self._channel() as channel:
            outcome = call_unary(channel, signed_metadata(stranger, UNARY_PATH, message), message, stranger.secret)
        return expect_refused(outcome, "unknown")

    def impostor_detected(self):
        # Offline, against the worked example: each of these must fail verification.
        k, n = EXAMPLE_KEY, EXAMPLE_NONCE
        other = bytes(range(1, 33))
        problems = [what for what, thunk in (
            ("sealed with another key", lambda: open_sealed(
                k.secret, n, 0, EXAMPLE_RESPONSE + message_seal(other, n, 0, EXAMPLE_RESPONSE))),
            ("seal moved to SEQ 1", lambda: open_sealed(k.secret, n, 1, EXAMPLE_SEALED_RESPONSE)),
            ("seal of another call's nonce", lambda: open_sealed(k.secret, "ff" * 16, 0, EXAMPLE_SEALED_RESPONSE)),
            ("unsealed message", lambda: open_sealed(k.secret, n, 0, EXAMPLE_RESPONSE)),
            ("OK end sealed with another key", lambda: check_end(
                k.secret, n, 1, grpc.StatusCode.OK, "", ((STATUS_SEAL_HEADER, status_seal(other, n, 1, 0, "")),))),
            ("OK end sealed for another count", lambda: check_end(
                k.secret, n, 1, grpc.StatusCode.OK, "", ((STATUS_SEAL_HEADER, status_seal(k.secret, n, 2, 0, "")),))),
            ("unsealed OK end", lambda: check_end(k.secret, n, 1, grpc.StatusCode.OK, "", ())),
        ) if not _rejects(thunk)]
        expect(not problems, "accepted: " + "; ".join(problems))

        # Online: a grpcio server that lacks the key answers a signed call.
        message = echo_pb2.EchoRequest(payload=b"trust me").SerializeToString()
        for seal, reason in ((True, "wrongly sealed"), (False, "carries no seal")):
            with ImpostorServer(os.urandom(32), seal) as impostor, \
                    self._channel("127.0.0.1:%d" % impostor.port) as channel:
                outcome = call_unary(channel, signed_metadata(self.key, UNARY_PATH, message), message, self.key.secret)
            expect(outcome.unverified is not None and reason in outcome.unverified,
                   "an impostor that answers %s was not caught: %s, %s"
                   % ("with another key" if seal else "unsealed", outcome.describe(), outcome.unverified))
        return "7 forged seals refused offline; live impostors (other key, no seal) refused"


CASE_NAMES = (
    "vector", "signed_unary", "signed_stream", "signed_error", "tampered_body", "bad_signature",
    "replay", "stale", "unknown_key", "impostor_detected",
)


def main(argv=None):
    try:
        key = Key.from_environment()
    except ValueError as problem:
        sys.stderr.write("%s\n" % problem)
        return 2
    return case_runner.main(argv, __doc__.splitlines()[0], "HOST:PORT of the verifying Echo server",
                            CASE_NAMES, lambda target: Cases(target, key))


if __name__ == "__main__":
    sys.exit(main())
