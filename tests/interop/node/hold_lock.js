#!/usr/bin/env node
'use strict';
/**
 * A stock @grpc/grpc-js client that holds a RemoteModel model's lock by an open HoldLock stream,
 * signed with the project's JavaScript signing module (examples/node/remotemodel_signing.js, the
 * scheme of docs/security.md), every answer's seal checked.
 *
 * It prints `HELD <holder>` once the server's first LockEvent says the lock is held, then waits
 * until the stream ends (printing `ENDED <STATUS> <details>`: ABORTED when an admin broke the lock)
 * or until SIGTERM/SIGINT or EOF on a piped stdin (it then cancels the stream, which releases the
 * lock). The mirror of tests/interop/python/hold_lock.py, which is unsigned. Usage:
 *
 *   REMOTEMODEL_KEY=id:base64secret node hold_lock.js --target 127.0.0.1:PORT --model ticker --caller NAME
 *
 * The key comes from the environment, never the command line. Exit code 0 when the lock was held,
 * 1 when it was refused (`REFUSED <STATUS> <details>`) or an answer's seal did not verify
 * (`UNVERIFIED <why>`), 2 on usage errors.
 */

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { statusName } = require('./case_runner');

const signing = require(path.resolve(__dirname, '..', '..', '..', 'examples', 'node', 'remotemodel_signing.js'));

const USAGE = 'REMOTEMODEL_KEY=id:base64secret node hold_lock.js --target HOST:PORT --model NAME --caller NAME';

function usage(problem) {
  process.stderr.write(`${problem}\nusage: ${USAGE}\n`);
  process.exit(2);
}

function parseArguments(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!['--target', '--model', '--caller'].includes(flag) || value === undefined) usage(`unexpected ${flag}`);
    options[flag.slice(2)] = value;
  }
  for (const required of ['target', 'model', 'caller']) {
    if (!options[required]) usage(`--${required} is required`);
  }
  return options;
}

/** HoldLock with the serializers proto-loader made for it (this file sits in <root>/tests/interop/node). */
function loadHoldLock() {
  const definition = protoLoader.loadSync('remotemodel/v1/model.proto', {
    includeDirs: [path.resolve(__dirname, '..', '..', '..', 'protos')],
    keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true,
  });
  return definition['remotemodel.v1.Model'].HoldLock;
}

function main() {
  const options = parseArguments(process.argv.slice(2));
  let key;
  try {
    key = signing.keyFromEnvironment();
  } catch (error) {
    usage(error.message);
  }

  const method = loadHoldLock();
  // The bytes signed are the bytes sent: serialized here, passed through by an identity serializer.
  const request = method.requestSerialize({ model: options.model });
  const headers = signing.signingHeaders(key, method.path, request);
  const metadata = new grpc.Metadata();
  for (const [name, value] of [...headers, ['remotemodel-caller', options.caller]]) metadata.set(name, value);
  const opener = new signing.ResponseOpener(key.secret, signing.nonceOf(headers), method.responseDeserialize);

  const client = new grpc.Client(options.target, grpc.credentials.createInsecure());
  const call = client.makeServerStreamRequest(method.path, (bytes) => bytes, opener.deserialize, request, metadata, {});
  let held = false;
  let stopping = false;
  const stop = () => {
    stopping = true;
    call.cancel();
  };

  call.on('data', (event) => {
    if (!held) {
      held = true;
      console.log(`HELD ${event.lock.holder}`);
    }
  });
  call.on('error', () => {}); // every ending, an error or not, arrives on 'status'
  call.on('status', (status) => {
    const outcome = opener.finish(status, []);
    if (outcome.unverified) {
      console.log(`UNVERIFIED ${outcome.unverified}`);
      process.exitCode = 1;
    } else if (!held) {
      console.log(`REFUSED ${statusName(status.code)} ${outcome.details}`);
      process.exitCode = 1;
    } else if (!(stopping && status.code === grpc.status.CANCELLED)) {
      console.log(`ENDED ${statusName(status.code)} ${outcome.details}`.trimEnd());
    }

    client.close();
    process.stdin.destroy();
  });

  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (!process.stdin.isTTY) {
    process.stdin.on('end', stop);
    process.stdin.resume();
  }
}

main();
