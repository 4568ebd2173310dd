#!/usr/bin/env node
'use strict';
/**
 * A stock @grpc/grpc-js client that runs the interop case list against an Echo server.
 *
 * The C# tests launch it against the C# server (the suite is validated against
 * tests/interop/python/echo_server.py). Usage:
 *
 *   node echo_client.js --target 127.0.0.1:PORT [--case NAME]
 *
 * Prints one JSON object per case and line: {"case": ..., "ok": true|false, "detail": ...}.
 * Exit code 0 when every requested case ran (whatever its outcome; the caller asserts per case),
 * 2 on usage errors. Each case races its own time limit so one hang fails only that case.
 * Case names and checks mirror tests/interop/python/echo_client.py.
 */

const path = require('path');
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const caseRunner = require('./case_runner');

const { CaseFailed, expect, statusName } = caseRunner;

const MIB = 1024 * 1024;
const RPC_TIMEOUT_MS = 8000;
const STATS_POLL_MS = 3000;
const ECHO_TEXT_VALUE = 'hello world';
const ECHO_BIN_VALUE = Buffer.from([0x00, 0x01, 0x02, 0xff]);
const CRASH_SECRET = 'SECRET-INTERNAL-DETAIL';

/** Loads the repository's protos (this file sits in <root>/tests/interop/node). */
function loadProtos() {
  const protosDir = path.resolve(__dirname, '..', '..', '..', 'protos');
  const definition = protoLoader.loadSync(
    ['remotemodel/testing/v1/echo.proto', 'grpc/health/v1/health.proto'],
    { includeDirs: [protosDir], keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true },
  );
  const loaded = grpc.loadPackageDefinition(definition);
  return { Echo: loaded.remotemodel.testing.v1.Echo, Health: loaded.grpc.health.v1.Health };
}

const PROTOS = loadProtos();

function deadlineIn(ms) {
  return new Date(Date.now() + ms);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs a unary call and resolves with {error, response, headers, trailers} once the status
 * arrived, so cases can check initial metadata and trailers as well as the outcome.
 */
function unaryCall(client, method, request, { metadata = new grpc.Metadata(), timeoutMs = RPC_TIMEOUT_MS } = {}) {
  return new Promise((resolve) => {
    const outcome = { headers: null };
    let pending = 2; // the callback and the 'status' event may arrive in either order
    const done = () => { if (--pending === 0) resolve(outcome); };
    const call = client[method](request, metadata, { deadline: deadlineIn(timeoutMs) }, (error, response) => {
      outcome.error = error;
      outcome.response = response;
      done();
    });
    call.on('metadata', (headers) => { outcome.headers = headers; });
    call.on('status', (status) => { outcome.trailers = status.metadata; done(); });
  });
}

/** Reads a server stream to its end; resolves with {messages, status, headers}. */
function readStream(call) {
  return new Promise((resolve) => {
    const outcome = { messages: [], headers: null };
    call.on('metadata', (headers) => { outcome.headers = headers; });
    call.on('data', (message) => outcome.messages.push(message));
    call.on('error', () => {}); // the non-OK status also arrives on 'status'
    call.on('status', (status) => { outcome.status = status; resolve(outcome); });
  });
}

/** Checks a failed outcome ({error} or a stream status) against code and, when given, message. */
function expectStatus(got, code, message) {
  expect(got && got.code !== grpc.status.OK,
    `expected ${statusName(code)}, got a success`);
  expect(got.code === code, `expected ${statusName(code)}, got ${statusName(got.code)} ${JSON.stringify(got.details)}`);
  if (message !== undefined) {
    expect(got.details === message, `expected message ${JSON.stringify(message)}, got ${JSON.stringify(got.details)}`);
  }
}

function expectOk(outcome) {
  if (outcome.error) {
    throw new CaseFailed(`unexpected RPC error ${statusName(outcome.error.code)}: ${JSON.stringify(outcome.error.details)}`);
  }
  return outcome.response;
}

function formatStats(stats) {
  return `{cancelled ${stats.cancelled_calls}, deadline ${stats.deadline_exceeded_calls}, completed ${stats.completed_calls}}`;
}

function echoMetadata() {
  const metadata = new grpc.Metadata();
  metadata.set('x-echo-text', ECHO_TEXT_VALUE);
  metadata.set('x-echo-data-bin', ECHO_BIN_VALUE);
  return metadata;
}

function checkEchoed(metadata, where) {
  expect(metadata, `${where}: none received`);
  const text = metadata.get('x-echo-text')[0];
  const bin = metadata.get('x-echo-data-bin')[0];
  expect(text === ECHO_TEXT_VALUE, `${where}: expected x-echo-text ${JSON.stringify(ECHO_TEXT_VALUE)}, got ${JSON.stringify(text)}`);
  expect(Buffer.isBuffer(bin) && bin.equals(ECHO_BIN_VALUE),
    `${where}: expected x-echo-data-bin 000102ff, got ${Buffer.isBuffer(bin) ? bin.toString('hex') : JSON.stringify(bin)}`);
}

/** One method per case; each makes its own client (and so its own channel) and closes it. */
class Cases {
  constructor(target) {
    this.target = target;
  }

  async withClient(ClientType, options, body) {
    const client = new ClientType(this.target, grpc.credentials.createInsecure(), options);
    try {
      return await body(client);
    } finally {
      client.close();
    }
  }

  echo(body, options = {}) {
    return this.withClient(PROTOS.Echo, options, body);
  }

  async stats(client) {
    return expectOk(await unaryCall(client, 'Stats', {}));
  }

  /** Polls Stats until rose(stats) holds; the server must have noticed within 3 s. */
  async waitForStats(client, rose, what) {
    const giveUp = Date.now() + STATS_POLL_MS;
    for (;;) {
      const stats = await this.stats(client);
      if (rose(stats)) return stats;
      if (Date.now() >= giveUp) {
        throw new CaseFailed(`server did not notice ${what} within ${STATS_POLL_MS / 1000} s; stats: ${formatStats(stats)}`);
      }
      await sleep(50);
    }
  }

  // --- unary ------------------------------------------------------------------------------

  unary() {
    return this.echo(async (client) => {
      const reply = expectOk(await unaryCall(client, 'Unary', { payload: Buffer.from('hello') }));
      expect(reply.payload.equals(Buffer.from('hello')), `expected payload "hello", got ${JSON.stringify(reply.payload.toString())}`);
      return 'payload round-tripped';
    });
  }

  unary_empty() {
    return this.echo(async (client) => {
      const reply = expectOk(await unaryCall(client, 'Unary', {}));
      expect(reply.payload.length === 0, `expected empty payload, got ${reply.payload.length} bytes`);
      return 'empty request answered with empty payload';
    });
  }

  large_1mib() {
    return this.echo(async (client) => {
      const payload = crypto.randomBytes(MIB);
      const reply = expectOk(await unaryCall(client, 'Unary', { payload }));
      expect(reply.payload.equals(payload), `1 MiB payload differs (got ${reply.payload.length} bytes)`);
      return '1 MiB random payload round-tripped';
    });
  }

  oversized_request() {
    // Our own send limit is lifted so it is the server's 4 MiB receive limit that refuses.
    return this.echo(async (client) => {
      const outcome = await unaryCall(client, 'Unary', { payload: Buffer.alloc(5 * MIB, 1) });
      expectStatus(outcome.error, grpc.status.RESOURCE_EXHAUSTED);
      return `RESOURCE_EXHAUSTED: ${outcome.error.details}`;
    }, { 'grpc.max_send_message_length': 64 * MIB });
  }

  oversized_reply() {
    return this.echo(async (client) => { // default receive limit: 4 MiB
      const outcome = await unaryCall(client, 'Unary', { reply_size: 5 * MIB });
      expectStatus(outcome.error, grpc.status.RESOURCE_EXHAUSTED);
      return `RESOURCE_EXHAUSTED: ${outcome.error.details}`;
    });
  }

  unary_error() {
    const message = 'не найдено: 50% ✓';
    return this.echo(async (client) => {
      const outcome = await unaryCall(client, 'Unary', { fail: { code: 5, message } });
      expectStatus(outcome.error, grpc.status.NOT_FOUND, message);
      return 'NOT_FOUND with the exact unicode message';
    });
  }

  all_status_codes() {
    return this.echo(async (client) => {
      const problems = [];
      for (let code = 1; code <= 16; code++) {
        const message = `code ${code}`;
        const { error } = await unaryCall(client, 'Unary', { fail: { code, message } });
        if (!error) problems.push(`${code}: succeeded`);
        else if (error.code !== code || error.details !== message) {
          problems.push(`${code}: got ${statusName(error.code)} ${JSON.stringify(error.details)}`);
        }
      }
      expect(problems.length === 0, problems.join('; '));
      return 'codes 1..16 each arrived with their message';
    });
  }

  crash() {
    return this.echo(async (client) => {
      const { error } = await unaryCall(client, 'Unary', { fail: { crash: true } });
      expectStatus(error, grpc.status.UNKNOWN);
      expect(!(error.details || '').includes(CRASH_SECRET), `the exception text leaked: ${JSON.stringify(error.details)}`);
      return `UNKNOWN without the exception text: ${JSON.stringify(error.details)}`;
    });
  }

  unknown_method() {
    return this.expectUnimplemented('/remotemodel.testing.v1.Echo/NoSuchMethod');
  }

  unknown_service() {
    return this.expectUnimplemented('/remotemodel.testing.v1.NoSuchService/Unary');
  }

  expectUnimplemented(methodPath) {
    return this.withClient(grpc.Client, {}, async (client) => {
      const error = await new Promise((resolve) => {
        const identity = (bytes) => bytes; // raw bytes in and out: no proto for this method
        client.makeUnaryRequest(methodPath, identity, identity, Buffer.alloc(0), new grpc.Metadata(),
          { deadline: deadlineIn(RPC_TIMEOUT_MS) }, (err) => resolve(err));
      });
      expectStatus(error, grpc.status.UNIMPLEMENTED);
      return `UNIMPLEMENTED: ${error.details}`;
    });
  }

  deadline() {
    return this.echo(async (client) => {
      const before = await this.stats(client);
      const started = Date.now();
      const { error } = await unaryCall(client, 'Unary', { delay_ms: 5000 }, { timeoutMs: 300 });
      const elapsed = Date.now() - started;
      expectStatus(error, grpc.status.DEADLINE_EXCEEDED);
      expect(elapsed < 2000, `DEADLINE_EXCEEDED only after ${elapsed} ms`);
      const after = await this.waitForStats(client,
        (s) => Number(s.cancelled_calls) > Number(before.cancelled_calls)
          || Number(s.deadline_exceeded_calls) > Number(before.deadline_exceeded_calls),
        'the expired deadline');
      return `DEADLINE_EXCEEDED after ${elapsed} ms; stats ${formatStats(before)} -> ${formatStats(after)}`;
    });
  }

  // --- streams ----------------------------------------------------------------------------

  stream() {
    return this.echo(async (client) => {
      const call = client.Stream({ count: 100, payload_size: 10 }, { deadline: deadlineIn(RPC_TIMEOUT_MS) });
      const { messages, status } = await readStream(call);
      expect(status.code === grpc.status.OK, `expected OK, got ${statusName(status.code)} ${JSON.stringify(status.details)}`);
      expect(messages.length === 100, `expected 100 replies, got ${messages.length}`);
      const outOfOrder = messages.findIndex((m, i) => m.sequence !== String(i));
      expect(outOfOrder < 0, `reply ${outOfOrder} has sequence ${outOfOrder < 0 ? '' : messages[outOfOrder].sequence}`);
      const wrongSize = messages.find((m) => m.payload.length !== 10);
      expect(!wrongSize, `expected every payload 10 bytes, got ${wrongSize && wrongSize.payload.length}`);
      return '100 replies, sequence 0..99, 10 bytes each, OK';
    });
  }

  stream_empty() {
    return this.echo(async (client) => {
      const { messages, status } = await readStream(client.Stream({ count: 0 }, { deadline: deadlineIn(RPC_TIMEOUT_MS) }));
      expect(status.code === grpc.status.OK, `expected OK, got ${statusName(status.code)} ${JSON.stringify(status.details)}`);
      expect(messages.length === 0, `expected no replies, got ${messages.length}`);
      return 'zero replies, OK';
    });
  }

  stream_error_after_messages() {
    return this.streamError(3, 9, 'état: ✓ 100% done', grpc.status.FAILED_PRECONDITION);
  }

  stream_error_immediately() {
    return this.streamError(0, 7, 'nope', grpc.status.PERMISSION_DENIED);
  }

  streamError(count, codeNumber, message, code) {
    return this.echo(async (client) => {
      const request = { count, payload_size: 4, fail_after: { code: codeNumber, message } };
      const { messages, status } = await readStream(client.Stream(request, { deadline: deadlineIn(RPC_TIMEOUT_MS) }));
      expectStatus(status, code, message);
      expect(messages.length === count, `expected ${count} replies before the error, got ${messages.length}`);
      return `${count} replies then ${statusName(code)} ${JSON.stringify(message)}`;
    });
  }

  cancel_stream() {
    return this.echo(async (client) => {
      const before = await this.stats(client);
      const call = client.Stream({ count: 1000000, payload_size: 8, interval_ms: 1 }, { deadline: deadlineIn(RPC_TIMEOUT_MS) });
      const status = await new Promise((resolve) => {
        let received = 0;
        call.on('data', () => { if (++received === 5) call.cancel(); });
        call.on('error', () => {});
        call.on('status', resolve);
      });
      expectStatus(status, grpc.status.CANCELLED);
      const after = await this.waitForStats(client,
        (s) => Number(s.cancelled_calls) > Number(before.cancelled_calls), 'the cancellation');
      return `read 5, cancelled; stats ${formatStats(before)} -> ${formatStats(after)}`;
    });
  }

  // --- metadata ---------------------------------------------------------------------------

  metadata() {
    return this.echo(async (client) => {
      const outcome = await unaryCall(client, 'Unary', { payload: Buffer.from('m'), echo_metadata: true },
        { metadata: echoMetadata() });
      expectOk(outcome);
      checkEchoed(outcome.headers, 'initial metadata');
      checkEchoed(outcome.trailers, 'trailers');
      return 'x-echo-text and x-echo-data-bin came back in headers and trailers';
    });
  }

  metadata_stream() {
    return this.echo(async (client) => {
      const call = client.Stream({ count: 2, payload_size: 1, echo_metadata: true }, echoMetadata(),
        { deadline: deadlineIn(RPC_TIMEOUT_MS) });
      const { messages, status, headers } = await readStream(call);
      expect(status.code === grpc.status.OK, `expected OK, got ${statusName(status.code)} ${JSON.stringify(status.details)}`);
      expect(messages.length === 2, `expected 2 replies, got ${messages.length}`);
      checkEchoed(headers, 'initial metadata');
      checkEchoed(status.metadata, 'trailers');
      return '2 replies; echoed headers in headers and trailers';
    });
  }

  // --- health -----------------------------------------------------------------------------

  health_check() {
    return this.withClient(PROTOS.Health, {}, async (client) => {
      for (const service of ['', 'remotemodel.testing.v1.Echo']) {
        const reply = expectOk(await unaryCall(client, 'Check', { service }));
        expect(reply.status === 'SERVING', `Check(${JSON.stringify(service)}): expected SERVING, got ${reply.status}`);
      }
      const { error } = await unaryCall(client, 'Check', { service: 'no.such.Service' });
      expectStatus(error, grpc.status.NOT_FOUND);
      return "'' and Echo SERVING, unknown service NOT_FOUND";
    });
  }

  health_watch() {
    return this.withClient(PROTOS.Health, {}, async (client) => {
      const call = client.Watch({ service: '' }, { deadline: deadlineIn(RPC_TIMEOUT_MS) });
      const first = await new Promise((resolve) => {
        call.once('data', resolve);
        call.on('error', () => resolve(null));
      });
      call.cancel();
      expect(first, 'the stream ended before its first message');
      expect(first.status === 'SERVING', `expected SERVING, got ${first.status}`);
      return 'first Watch message SERVING, then cancelled';
    });
  }

  // --- compression ------------------------------------------------------------------------

  gzip_request() {
    // grpc-js compresses per channel; 2 is CompressionAlgorithms.gzip.
    return this.echo(async (client) => {
      const payload = Buffer.alloc(64 * 1024, 'abcd');
      const reply = expectOk(await unaryCall(client, 'Unary', { payload }));
      expect(reply.payload.equals(payload), `64 KiB gzip payload differs (got ${reply.payload.length} bytes)`);
      return '64 KiB gzip-compressed request round-tripped';
    }, { 'grpc.default_compression_algorithm': 2 });
  }
}

const CASE_NAMES = [
  'unary', 'unary_empty', 'large_1mib', 'oversized_request', 'oversized_reply',
  'stream', 'stream_empty', 'stream_error_after_messages', 'stream_error_immediately',
  'unary_error', 'all_status_codes', 'crash', 'unknown_method', 'unknown_service',
  'deadline', 'cancel_stream', 'metadata', 'metadata_stream', 'health_check',
  'health_watch', 'gzip_request',
];

caseRunner.main({
  usageLine: 'node echo_client.js --target HOST:PORT [--case NAME]',
  caseNames: CASE_NAMES,
  makeCases: (target) => new Cases(target),
  describe: caseRunner.describeRpcError,
});
