'use strict';
/**
 * HMAC signing for JavaScript clients of RemoteModel, from docs/security.md alone (node's crypto,
 * no other dependency, so any copy of @grpc/grpc-js can use it).
 *
 * A signed call carries four headers over the exact request bytes; every answer message ends in a
 * 35-byte seal (an unknown protobuf field to a client that ignores it) and the call's end is sealed
 * in the trailers. A client that signs should check the seals: only a holder of the key can make them.
 *
 *   const key = keyFromEnvironment();                       // $REMOTEMODEL_KEY = id:base64secret
 *   const request = Buffer.from(ModifyRequest.encode(...).finish());
 *   const headers = signingHeaders(key, '/remotemodel.v1.Model/Modify', request);
 *   const opener = new ResponseOpener(key.secret, nonceOf(headers), parseModifyResponse);
 *   // call with an identity serializer and opener.deserialize, then opener.finish(status) on 'status'
 *
 * The tests prove this module against the C# server: tests/interop/node/signed_client.js uses it
 * for every signed case, and examples/node/ticker_client.js drives a real ticker with it.
 */

const crypto = require('crypto');

const KEY_ID_HEADER = 'remotemodel-key-id';
const TIMESTAMP_HEADER = 'remotemodel-timestamp';
const NONCE_HEADER = 'remotemodel-nonce';
const SIGNATURE_HEADER = 'remotemodel-signature';
const STATUS_SEAL_HEADER = 'remotemodel-status-seal';

// gRPC's status code OK; the only one the scheme treats apart.
const OK = 0;

// Protobuf field 2047, length-delimited, 32 bytes: what precedes the HMAC at a message's end.
const SEAL_PREFIX = Buffer.from([0xfa, 0x7f, 0x20]);
const SEAL_LENGTH = SEAL_PREFIX.length + 32;

/** The answer's seals do not prove it came from a holder of the key. */
class Unverified extends Error {}

/** Reads `id:base64secret` (a secret never comes from a command line); throws when it is missing or malformed. */
function keyFromEnvironment(name = 'REMOTEMODEL_KEY') {
  const value = process.env[name] || '';
  const colon = value.indexOf(':');
  const id = colon > 0 ? value.slice(0, colon) : '';
  const encoded = value.slice(colon + 1);
  // Buffer.from ignores what is not base64; insist the text was all base64 so a typo is not a shorter key.
  const secret = Buffer.from(encoded, 'base64');
  if (!id || secret.length < 32 || secret.toString('base64') !== encoded) {
    throw new Error(`$${name} must hold id:base64secret with a secret of 32 or more bytes`);
  }
  return { id, secret };
}

function hmac(secret, ...parts) {
  const mac = crypto.createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function requestSignature(secret, methodPath, timestamp, nonce, keyId, message) {
  return hmac(secret, 'remotemodel-v1\n', methodPath, '\n', timestamp, '\n', nonce, '\n', keyId, '\n', message).toString('hex');
}

/** The 35 bytes the server appends to response message number `seq`. */
function messageSeal(secret, nonce, seq, message) {
  return Buffer.concat([SEAL_PREFIX, hmac(secret, 'remotemodel-v1 response\n', nonce, '\n', String(seq), '\n', message)]);
}

function statusSeal(secret, nonce, count, status, messageText) {
  // Strings go to update() as UTF-8, as the page asks of MESSAGE_TEXT.
  return hmac(secret, 'remotemodel-v1 status\n', nonce, '\n', String(count), '\n', String(status), '\n', messageText || '').toString('hex');
}

/** Checks and strips the seal of response message `seq`; returns the message bytes. */
function openSealed(secret, nonce, seq, raw) {
  if (raw.length < SEAL_LENGTH || !raw.subarray(raw.length - SEAL_LENGTH, raw.length - 32).equals(SEAL_PREFIX)) {
    throw new Unverified(`message ${seq} carries no seal`);
  }
  const body = raw.subarray(0, raw.length - SEAL_LENGTH);
  if (!crypto.timingSafeEqual(raw.subarray(raw.length - SEAL_LENGTH), messageSeal(secret, nonce, seq, body))) {
    throw new Unverified(`message ${seq} is wrongly sealed`);
  }
  return body;
}

/**
 * Checks the status seal in `trailers` (anything with get(name) -> values, as grpc-js's Metadata).
 * An OK end must be sealed; an error may arrive unsealed (a server that refused the key cannot
 * seal), but a seal that is there must be right. Returns whether the end was sealed.
 */
function checkEnd(secret, nonce, count, code, details, trailers) {
  const seals = trailers ? trailers.get(STATUS_SEAL_HEADER) : [];
  if (seals.length === 0) {
    if (code === OK) throw new Unverified(`the OK end carries no ${STATUS_SEAL_HEADER}`);
    return false;
  }
  const expected = Buffer.from(statusSeal(secret, nonce, count, code, details));
  const got = Buffer.from(String(seals[0]));
  if (seals.length !== 1 || got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) {
    throw new Unverified(`the end (status ${code} after ${count} messages) is wrongly sealed`);
  }
  return true;
}

/** The four [name, value] headers that sign `message` (the exact bytes that will be sent) for `methodPath`. */
function signingHeaders(key, methodPath, message, { timestamp = String(Date.now()), nonce = crypto.randomBytes(16).toString('hex') } = {}) {
  return [
    [KEY_ID_HEADER, key.id],
    [TIMESTAMP_HEADER, timestamp],
    [NONCE_HEADER, nonce],
    [SIGNATURE_HEADER, requestSignature(key.secret, methodPath, timestamp, nonce, key.id, message)],
  ];
}

/** The nonce `signingHeaders` chose, which the answer's seals are bound to. */
function nonceOf(headers) {
  return headers.find(([name]) => name === NONCE_HEADER)[1];
}

/**
 * The response deserializer of one call: receives each message's raw bytes, checks and strips its
 * seal (numbered in arrival order) and parses the rest with `parse`. grpc-js turns an exception
 * thrown here into an INTERNAL status, so the reason is also kept.
 */
class ResponseOpener {
  constructor(secret, nonce, parse) {
    Object.assign(this, { secret, nonce, parse, count: 0, failure: null });
    this.deserialize = (raw) => {
      let body;
      try {
        body = openSealed(this.secret, this.nonce, this.count, raw);
      } catch (error) {
        this.failure = this.failure || error.message;
        throw error;
      }
      this.count++;
      return this.parse(body);
    };
  }

  /** How the call ended (grpc-js's status: code, details, metadata), after its seals were checked. */
  finish(status, replies) {
    const outcome = { code: status.code, details: status.details || '', replies, endSealed: false, unverified: this.failure };
    if (!outcome.unverified) {
      try {
        outcome.endSealed = checkEnd(this.secret, this.nonce, this.count, status.code, outcome.details, status.metadata);
      } catch (error) {
        if (!(error instanceof Unverified)) throw error;
        outcome.unverified = error.message;
      }
    }
    return outcome;
  }
}

module.exports = {
  KEY_ID_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER, STATUS_SEAL_HEADER, SEAL_PREFIX, SEAL_LENGTH,
  Unverified, keyFromEnvironment, requestSignature, messageSeal, statusSeal, openSealed, checkEnd,
  signingHeaders, nonceOf, ResponseOpener,
};
