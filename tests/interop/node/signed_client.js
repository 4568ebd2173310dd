#!/usr/bin/env node
'use strict';
/**
 * A stock @grpc/grpc-js client that signs its calls and checks the seals of the answers.
 *
 * It implements the scheme of docs/security.md from that page alone (node's crypto, no
 * RemoteModel code), to prove a client in another language can authenticate against the C#
 * server. The C# tests launch it against a C# Echo server that verifies calls. Usage:
 *
 *   REMOTEMODEL_KEY=id:base64secret node signed_client.js --target 127.0.0.1:PORT [--case NAME]
 *
 * The key comes from the environment, never the command line, as the page requires of secrets.
 * Prints one JSON object per case and line: {"case": ..., "ok": true|false, "detail": ...}.
 * Exit code 0 when every requested case ran (whatever its outcome; the caller asserts per case),
 * 2 on usage errors. Case names and checks mirror tests/interop/python/signed_client.py.
 */

const path = require('path');
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const caseRunner = require('./case_runner');

const { expect, statusName } = caseRunner;

const RPC_TIMEOUT_MS = 8000;

const KEY_ID_HEADER = 'remotemodel-key-id';
const TIMESTAMP_HEADER = 'remotemodel-timestamp';
const NONCE_HEADER = 'remotemodel-nonce';
const SIGNATURE_HEADER = 'remotemodel-signature';
const STATUS_SEAL_HEADER = 'remotemodel-status-seal';

// Protobuf field 2047, length-delimited, 32 bytes: what precedes the HMAC at a message's end.
const SEAL_PREFIX = Buffer.from([0xfa, 0x7f, 0x20]);
const SEAL_LENGTH = SEAL_PREFIX.length + 32;

/** The Echo methods with the serializers proto-loader made for them (this file sits in <root>/tests/interop/node). */
function loadEcho() {
  const protosDir = path.resolve(__dirname, '..', '..', '..', 'protos');
  const definition = protoLoader.loadSync('remotemodel/testing/v1/echo.proto',
    { includeDirs: [protosDir], keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true });
  return definition['remotemodel.testing.v1.Echo'];
}

const ECHO = loadEcho();
const UNARY = ECHO.Unary;
const STREAM = ECHO.Stream;

/** The answer's seals do not prove it came from a holder of the key. */
class Unverified extends Error {}

// --- the scheme (docs/security.md) --------------------------------------------------------

/** Reads `id:base64secret` from the environment; exits with 2 when it is missing or malformed. */
function keyFromEnvironment(name = 'REMOTEMODEL_KEY') {
  const value = process.env[name] || '';
  const colon = value.indexOf(':');
  const id = colon > 0 ? value.slice(0, colon) : '';
  const encoded = value.slice(colon + 1);
  // Buffer.from ignores what is not base64; insist the text was all base64 so a typo is not a shorter key.
  const secret = Buffer.from(encoded, 'base64');
  if (!id || secret.length < 32 || secret.toString('base64') !== encoded) {
    process.stderr.write(`$${name} must hold id:base64secret with a secret of 32 or more bytes\n`);
    process.exit(2);
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
 * Checks the status seal. An OK end must be sealed; an error may arrive unsealed (a server that
 * refused the key cannot seal), but a seal that is there must be right. Returns whether the end was sealed.
 */
function checkEnd(secret, nonce, count, code, details, trailers) {
  const seals = trailers ? trailers.get(STATUS_SEAL_HEADER) : [];
  if (seals.length === 0) {
    if (code === grpc.status.OK) throw new Unverified(`the OK end carries no ${STATUS_SEAL_HEADER}`);
    return false;
  }
  const expected = Buffer.from(statusSeal(secret, nonce, count, code, details));
  const got = Buffer.from(String(seals[0]));
  if (seals.length !== 1 || got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) {
    throw new Unverified(`the end (${statusName(code)} after ${count} messages) is wrongly sealed`);
  }
  return true;
}

/** The four headers that sign `message` (the exact bytes that will be sent) for `methodPath`. */
function signedMetadata(key, methodPath, message, { timestamp = String(Date.now()), nonce = crypto.randomBytes(16).toString('hex') } = {}) {
  const metadata = new grpc.Metadata();
  metadata.set(KEY_ID_HEADER, key.id);
  metadata.set(TIMESTAMP_HEADER, timestamp);
  metadata.set(NONCE_HEADER, nonce);
  metadata.set(SIGNATURE_HEADER, requestSignature(key.secret, methodPath, timestamp, nonce, key.id, message));
  return metadata;
}

/**
 * The response deserializer of one call: receives each message's raw bytes, checks and strips its
 * seal (numbered in arrival order) and parses the rest with the method's own deserializer.
 * grpc-js turns an exception thrown here into an INTERNAL status, so the reason is also kept.
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

  /** How the call ended, after its seals were checked. */
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

function describe(outcome) {
  return `${statusName(outcome.code)} ${JSON.stringify(outcome.details)}`;
}

/**
 * Sends `message` (already serialized bytes, passed through by an identity serializer so the
 * bytes signed are the bytes sent) with `metadata`; checks the answer's seals with `secret`.
 */
function callUnary(client, metadata, message, secret, method = UNARY) {
  const opener = new ResponseOpener(secret, metadata.get(NONCE_HEADER)[0], method.responseDeserialize);
  return new Promise((resolve) => {
    const replies = [];
    const call = client.makeUnaryRequest(method.path, (bytes) => bytes, opener.deserialize, message, metadata,
      { deadline: new Date(Date.now() + RPC_TIMEOUT_MS) }, (error, reply) => { if (!error) replies.push(reply); });
    // 'status' comes after the callback, whatever the outcome, with the trailers.
    call.on('status', (status) => resolve(opener.finish(status, replies)));
  });
}

function callStream(client, metadata, message, secret, method = STREAM) {
  const opener = new ResponseOpener(secret, metadata.get(NONCE_HEADER)[0], method.responseDeserialize);
  return new Promise((resolve) => {
    const replies = [];
    const call = client.makeServerStreamRequest(method.path, (bytes) => bytes, opener.deserialize, message, metadata,
      { deadline: new Date(Date.now() + RPC_TIMEOUT_MS) });
    call.on('data', (reply) => replies.push(reply));
    call.on('error', () => {}); // a non-OK status also arrives on 'status'
    call.on('status', (status) => resolve(opener.finish(status, replies)));
  });
}

function expectVerifiedOk(outcome) {
  expect(!outcome.unverified, `the answer could not be verified: ${outcome.unverified}`);
  expect(outcome.code === grpc.status.OK, `expected OK, got ${describe(outcome)}`);
}

/** The call was refused UNAUTHENTICATED, with every one of `words` in the message. */
function expectRefused(outcome, ...words) {
  expect(outcome.code === grpc.status.UNAUTHENTICATED, `expected UNAUTHENTICATED, got ${describe(outcome)}`);
  const missing = words.filter((word) => !outcome.details.includes(word));
  expect(missing.length === 0, `the message ${JSON.stringify(outcome.details)} does not mention ${missing.join(', ')}`);
  expect(!outcome.unverified, `the refusal carries a wrong seal: ${outcome.unverified}`);
  return `UNAUTHENTICATED: ${outcome.details}`;
}

// --- the worked example of docs/security.md, copied from the page -----------------------------

const EXAMPLE = {
  key: { id: 'example', secret: Buffer.from(Array.from({ length: 32 }, (_, i) => i)) },
  path: '/remotemodel.v1.Model/Modify',
  timestamp: '1795000000000',
  nonce: '000102030405060708090a0b0c0d0e0f',
  request: Buffer.from('0a067469636b657212110a04526174651209190000000000001440', 'hex'),
  signature: '3524894f517fcc1dc315b65c2239c30d47cd9083faa5c47fd7feccc284393d22',
  response: Buffer.from('082b12110a04526174651209190000000000001440', 'hex'),
  sealedResponse: Buffer.from('082b12110a04526174651209190000000000001440'
    + 'fa7f207e3dc08bef12dcb5fda0cc5b90b3ad473f764179274aa4769b5721cfc00e7d1f', 'hex'),
  statusSeal: '1a583a9122ce637c422f2f29068c4fe5bdcacf4fa25ea69f7e61470fe51304f6',
};

function rejects(thunk) {
  try {
    thunk();
  } catch (error) {
    if (error instanceof Unverified) return true;
    throw error;
  }
  return false;
}

/** Trailers holding one status seal, as checkEnd reads them. */
function sealTrailers(seal) {
  const metadata = new grpc.Metadata();
  if (seal !== undefined) metadata.set(STATUS_SEAL_HEADER, seal);
  return metadata;
}

/**
 * A grpc-js Echo server without the key: it answers signed calls sealed with another secret, or
 * not at all, so the client can show it refuses such answers over a real connection.
 */
async function withImpostor(secret, seal, body) {
  const identity = (bytes) => bytes; // raw bytes in and out: the impostor seals by hand
  const server = new grpc.Server();
  server.addService({ Unary: { ...UNARY, requestDeserialize: identity, responseSerialize: identity } }, {
    Unary(call, callback) {
      const nonce = String(call.metadata.get(NONCE_HEADER)[0] || '');
      const reply = UNARY.responseSerialize({ payload: UNARY.requestDeserialize(call.request).payload });
      if (!seal) return callback(null, reply);
      return callback(null, Buffer.concat([reply, messageSeal(secret, nonce, 0, reply)]),
        sealTrailers(statusSeal(secret, nonce, 1, grpc.status.OK, '')));
    },
  });
  const port = await new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  try {
    return await body(`127.0.0.1:${port}`);
  } finally {
    server.forceShutdown();
  }
}

// --- cases -------------------------------------------------------------------------------

/** One method per case; each makes its own client (and so its own channel) and closes it. */
class Cases {
  constructor(target, key) {
    this.target = target;
    this.key = key;
  }

  async withClient(body, target = this.target) {
    const client = new grpc.Client(target, grpc.credentials.createInsecure());
    try {
      return await body(client);
    } finally {
      client.close();
    }
  }

  vector() {
    const { key, nonce } = EXAMPLE;
    const signature = requestSignature(key.secret, EXAMPLE.path, EXAMPLE.timestamp, nonce, key.id, EXAMPLE.request);
    expect(signature === EXAMPLE.signature, `signature ${signature}, the page says ${EXAMPLE.signature}`);
    const sealed = Buffer.concat([EXAMPLE.response, messageSeal(key.secret, nonce, 0, EXAMPLE.response)]);
    expect(sealed.equals(EXAMPLE.sealedResponse), `sealed response ${sealed.toString('hex')}, the page says ${EXAMPLE.sealedResponse.toString('hex')}`);
    const opened = openSealed(key.secret, nonce, 0, EXAMPLE.sealedResponse);
    expect(opened.equals(EXAMPLE.response), `opening the sealed response gave ${opened.toString('hex')}`);
    const end = statusSeal(key.secret, nonce, 1, grpc.status.OK, '');
    expect(end === EXAMPLE.statusSeal, `status seal ${end}, the page says ${EXAMPLE.statusSeal}`);
    return 'signature, response seal and status seal equal the worked example';
  }

  signed_unary() {
    return this.withClient(async (client) => {
      const message = UNARY.requestSerialize({ payload: Buffer.from('signed hello') });
      const outcome = await callUnary(client, signedMetadata(this.key, UNARY.path, message), message, this.key.secret);
      expectVerifiedOk(outcome);
      const payload = outcome.replies[0].payload.toString();
      expect(payload === 'signed hello', `payload came back as ${JSON.stringify(payload)}`);
      expect(outcome.endSealed, 'the OK end was not sealed');
      return 'OK; response seal (SEQ 0) and status seal (COUNT 1) verified';
    });
  }

  signed_stream() {
    const count = 5;
    return this.withClient(async (client) => {
      const message = STREAM.requestSerialize({ count, payload_size: 7 });
      const outcome = await callStream(client, signedMetadata(this.key, STREAM.path, message), message, this.key.secret);
      expectVerifiedOk(outcome);
      const sequences = outcome.replies.map((reply) => Number(reply.sequence));
      expect(sequences.join() === [...Array(count).keys()].join(), `expected replies 0..${count - 1}, got ${sequences}`);
      return `${count} replies, each seal verified with SEQ 0..${count - 1}; status seal (COUNT ${count}) verified`;
    });
  }

  signed_error() {
    // A handler's error after a verified request is sealed too, over the decoded unicode message.
    const text = 'не найдено: 50% ✓';
    return this.withClient(async (client) => {
      const message = UNARY.requestSerialize({ fail: { code: 5, message: text } });
      const outcome = await callUnary(client, signedMetadata(this.key, UNARY.path, message), message, this.key.secret);
      expect(!outcome.unverified, `the answer could not be verified: ${outcome.unverified}`);
      expect(outcome.code === grpc.status.NOT_FOUND && outcome.details === text,
        `expected NOT_FOUND ${JSON.stringify(text)}, got ${describe(outcome)}`);
      expect(outcome.endSealed, 'the error end was not sealed');
      return 'NOT_FOUND with its unicode message; status seal (COUNT 0) verified';
    });
  }

  tampered_body() {
    return this.withClient(async (client) => {
      const signed = UNARY.requestSerialize({ payload: Buffer.from('pay 10') });
      const sent = UNARY.requestSerialize({ payload: Buffer.from('pay 99') });
      return expectRefused(await callUnary(client, signedMetadata(this.key, UNARY.path, signed), sent, this.key.secret), 'signature');
    });
  }

  bad_signature() {
    return this.withClient(async (client) => {
      const wrong = { id: this.key.id, secret: crypto.randomBytes(32) };
      const message = UNARY.requestSerialize({ payload: Buffer.from('x') });
      return expectRefused(await callUnary(client, signedMetadata(wrong, UNARY.path, message), message, wrong.secret), 'signature');
    });
  }

  replay() {
    return this.withClient(async (client) => {
      const message = UNARY.requestSerialize({ payload: Buffer.from('once') });
      const metadata = signedMetadata(this.key, UNARY.path, message);
      const first = await callUnary(client, metadata.clone(), message, this.key.secret);
      const second = await callUnary(client, metadata.clone(), message, this.key.secret);
      expectVerifiedOk(first);
      return `first OK, second ${expectRefused(second, 'replay')}`;
    });
  }

  stale() {
    return this.withClient(async (client) => {
      const message = UNARY.requestSerialize({ payload: Buffer.from('late') });
      const metadata = signedMetadata(this.key, UNARY.path, message, { timestamp: String(Date.now() - 5 * 60 * 1000) });
      return expectRefused(await callUnary(client, metadata, message, this.key.secret), 'ago');
    });
  }

  unknown_key() {
    return this.withClient(async (client) => {
      const stranger = { id: 'no-such-key', secret: crypto.randomBytes(32) };
      const message = UNARY.requestSerialize({ payload: Buffer.from('who') });
      return expectRefused(await callUnary(client, signedMetadata(stranger, UNARY.path, message), message, stranger.secret), 'unknown');
    });
  }

  async impostor_detected() {
    // Offline, against the worked example: each of these must fail verification.
    const { key: { secret }, nonce, response, sealedResponse } = EXAMPLE;
    const other = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
    const OK = grpc.status.OK;
    const forgeries = [
      ['sealed with another key', () => openSealed(secret, nonce, 0, Buffer.concat([response, messageSeal(other, nonce, 0, response)]))],
      ['seal moved to SEQ 1', () => openSealed(secret, nonce, 1, sealedResponse)],
      ["seal of another call's nonce", () => openSealed(secret, 'ff'.repeat(16), 0, sealedResponse)],
      ['unsealed message', () => openSealed(secret, nonce, 0, response)],
      ['OK end sealed with another key', () => checkEnd(secret, nonce, 1, OK, '', sealTrailers(statusSeal(other, nonce, 1, OK, '')))],
      ['OK end sealed for another count', () => checkEnd(secret, nonce, 1, OK, '', sealTrailers(statusSeal(secret, nonce, 2, OK, '')))],
      ['unsealed OK end', () => checkEnd(secret, nonce, 1, OK, '', sealTrailers())],
    ];
    const accepted = forgeries.filter(([, thunk]) => !rejects(thunk)).map(([what]) => what);
    expect(accepted.length === 0, `accepted: ${accepted.join('; ')}`);

    // Online: a grpc-js server that lacks the key answers a signed call.
    const message = UNARY.requestSerialize({ payload: Buffer.from('trust me') });
    for (const [seal, reason] of [[true, 'wrongly sealed'], [false, 'carries no seal']]) {
      const outcome = await withImpostor(crypto.randomBytes(32), seal, (target) => this.withClient(
        (client) => callUnary(client, signedMetadata(this.key, UNARY.path, message), message, this.key.secret), target));
      expect(outcome.unverified && outcome.unverified.includes(reason),
        `an impostor that answers ${seal ? 'with another key' : 'unsealed'} was not caught: ${describe(outcome)}, ${outcome.unverified}`);
    }
    return `${forgeries.length} forged seals refused offline; live impostors (other key, no seal) refused`;
  }
}

const CASE_NAMES = [
  'vector', 'signed_unary', 'signed_stream', 'signed_error', 'tampered_body', 'bad_signature',
  'replay', 'stale', 'unknown_key', 'impostor_detected',
];

caseRunner.main({
  usageLine: 'REMOTEMODEL_KEY=id:base64secret node signed_client.js --target HOST:PORT [--case NAME]',
  caseNames: CASE_NAMES,
  makeCases: (target) => new Cases(target, keyFromEnvironment()),
});
