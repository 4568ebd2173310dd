"""HMAC signing for Python clients of RemoteModel, from docs/security.md alone (stdlib only).

A signed call carries four headers over the exact request bytes; every answer message ends in a
35-byte seal (an unknown protobuf field to a client that ignores it) and the call's end is sealed
in the trailers. A client that signs should check the seals: only a holder of the key can make them.

    key = Key.from_environment()                     # $REMOTEMODEL_KEY = id:base64secret
    request = model_pb2.ModifyRequest(...).SerializeToString()
    metadata = signed_metadata(key, "/remotemodel.v1.Model/Modify", request)
    opener = ResponseOpener(key.secret, dict(metadata)[NONCE_HEADER], model_pb2.ModifyResponse.FromString)
    call = channel.unary_unary("/remotemodel.v1.Model/Modify", request_serializer=None, response_deserializer=opener)
    reply, rpc = call.with_call(request, metadata=metadata)
    check_end(key.secret, opener.nonce, opener.count, rpc.code(), rpc.details(), rpc.trailing_metadata())

The tests prove this module against the C# server: tests/interop/python/signed_client.py uses it
for every signed case, and examples/python/ticker_client.py drives a real ticker with it.
"""

import base64
import binascii
import hashlib
import hmac
import os
import time

import grpc

KEY_ID_HEADER = "remotemodel-key-id"
TIMESTAMP_HEADER = "remotemodel-timestamp"
NONCE_HEADER = "remotemodel-nonce"
SIGNATURE_HEADER = "remotemodel-signature"
STATUS_SEAL_HEADER = "remotemodel-status-seal"

# Protobuf field 2047, length-delimited, 32 bytes: what precedes the HMAC at a message's end.
SEAL_PREFIX = b"\xfa\x7f\x20"
SEAL_LENGTH = len(SEAL_PREFIX) + 32


class Unverified(Exception):
    """The answer's seals do not prove it came from a holder of the key."""


class Key:
    def __init__(self, key_id, secret):
        self.id = key_id
        self.secret = secret

    @staticmethod
    def from_environment(name="REMOTEMODEL_KEY"):
        """Reads `id:base64secret` (a secret never comes from a command line); ValueError when missing or malformed."""
        value = os.environ.get(name, "")
        key_id, _, encoded = value.partition(":")
        try:
            secret = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            secret = b""
        if not key_id or len(secret) < 32:
            raise ValueError("$%s must hold id:base64secret with a secret of 32 or more bytes" % name)
        return Key(key_id, secret)


def _hmac(secret, *parts):
    return hmac.new(secret, b"".join(parts), hashlib.sha256)


def request_signature(secret, path, timestamp, nonce, key_id, message):
    return _hmac(secret, b"remotemodel-v1\n", path.encode(), b"\n", timestamp.encode(), b"\n",
                 nonce.encode(), b"\n", key_id.encode(), b"\n", message).hexdigest()


def message_seal(secret, nonce, seq, message):
    """The 35 bytes the server appends to response message number `seq`."""
    return SEAL_PREFIX + _hmac(secret, b"remotemodel-v1 response\n", nonce.encode(), b"\n",
                               str(seq).encode(), b"\n", message).digest()


def status_seal(secret, nonce, count, status, message_text):
    return _hmac(secret, b"remotemodel-v1 status\n", nonce.encode(), b"\n", str(count).encode(), b"\n",
                 str(status).encode(), b"\n", (message_text or "").encode("utf-8")).hexdigest()


def open_sealed(secret, nonce, seq, raw):
    """Checks and strips the seal of response message `seq`; returns the message bytes."""
    if len(raw) < SEAL_LENGTH or raw[-SEAL_LENGTH:-32] != SEAL_PREFIX:
        raise Unverified("message %d carries no seal" % seq)
    body = raw[:-SEAL_LENGTH]
    if not hmac.compare_digest(raw[-SEAL_LENGTH:], message_seal(secret, nonce, seq, body)):
        raise Unverified("message %d is wrongly sealed" % seq)
    return body


def check_end(secret, nonce, count, code, details, trailers):
    """Checks the status seal. An OK end must be sealed; an error may arrive unsealed (a server
    that refused the key cannot seal), but a seal that is there must be right.
    Returns whether the end was sealed."""
    seals = [value for name, value in trailers or () if name == STATUS_SEAL_HEADER]
    if not seals:
        if code == grpc.StatusCode.OK:
            raise Unverified("the OK end carries no %s" % STATUS_SEAL_HEADER)
        return False
    expected = status_seal(secret, nonce, count, code.value[0], details)
    if len(seals) != 1 or not hmac.compare_digest(seals[0].encode(), expected.encode()):
        raise Unverified("the end (%s after %d messages) is wrongly sealed" % (code.name, count))
    return True


def new_nonce():
    return os.urandom(16).hex()


def now_ms():
    return str(int(time.time() * 1000))


def signed_metadata(key, path, message, timestamp=None, nonce=None):
    """The four headers that sign `message` (the exact bytes that will be sent) for `path`."""
    timestamp = timestamp or now_ms()
    nonce = nonce or new_nonce()
    return (
        (KEY_ID_HEADER, key.id),
        (TIMESTAMP_HEADER, timestamp),
        (NONCE_HEADER, nonce),
        (SIGNATURE_HEADER, request_signature(key.secret, path, timestamp, nonce, key.id, message)),
    )


class ResponseOpener:
    """The response deserializer of one call: receives each message's raw bytes, checks and strips
    its seal (numbered in arrival order) and parses the rest. grpcio turns an exception raised here
    into an INTERNAL status, so the reason is also kept for the caller."""

    def __init__(self, secret, nonce, parse):
        self.secret = secret
        self.nonce = nonce
        self.parse = parse
        self.count = 0
        self.failure = None

    def __call__(self, raw):
        try:
            body = open_sealed(self.secret, self.nonce, self.count, raw)
        except Unverified as failure:
            self.failure = self.failure or str(failure)
            raise
        self.count += 1
        return self.parse(body)
