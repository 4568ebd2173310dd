#!/usr/bin/env node
'use strict';
/**
 * A stock @grpc/grpc-js client that signs its calls and checks the seals of the answers.
 *
 * It signs with examples/node/remotemodel_signing.js, the scheme of docs/security.md written
 * from that page alone (node's crypto, no C# code), to prove a client in another language can
 * authenticate against the C# server. The C# tests launch it against a C# Echo server that verifies calls. Usage:
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

// The scheme itself is the JavaScript module RemoteModel ships for clients (examples/node): every
// case here proves it against the C# server.
const signing = require(path.resolve(__dirname, '..', '..', '..', 'examples', 'node', 'remotemodel_signing.js'));

const {
  NONCE_HEADER, STATUS_SEAL_HEADER, Unverified, requestSignature, messageSeal, statusSeal, openSealed, checkEnd, ResponseOpener,
} = signing;

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

/** Reads the key from the environment; exits with 2 when it is missing or malformed. */
function keyFromEnvironment() {
  try {
    return signing.keyFromEnvironment();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    return process.exit(2);
  }
}

/** The four signing headers as grpc-js metadata. */
function signedMetadata(key, methodPath, message, options) {
  const metadata = new grpc.Metadata();
  for (const [name, value] of signing.signingHeaders(key, methodPath, message, options)) metadata.set(name, value);
  return metadata;
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
