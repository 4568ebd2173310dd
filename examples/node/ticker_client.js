#!/usr/bin/env node
'use strict';
/**
 * Drives a RemoteModel model from JavaScript with nothing but @grpc/grpc-js: finds it by name,
 * describes it, subscribes to its changes and, signed with a key, changes it. The .proto files
 * are read at start (proto-loader), so there is nothing to generate. While the ticker demo runs:
 *
 *   npm ci --prefix examples/node
 *   export REMOTEMODEL_KEY=$(dotnet run --project src/NameServer -- keys generate js --scope control --scope read | tail -n 1)
 *   node examples/node/ticker_client.js --rate 5
 *
 * The key (`id:base64secret`) comes from the environment, never the command line. Reads need no
 * key; without one the Modify is skipped. Prints what it sees, one line each (a value that is not
 * VALID is marked with its quality and why: `Temperature=121.5 [ALARM: above high alarm limit 120]`),
 * and exits 0 once its own change came back through the subscription, or 1 when something failed.
 */

const os = require('os');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const signing = require('./remotemodel_signing');

const TIMEOUT_MS = 10000;
const MODIFY_PATH = '/remotemodel.v1.Model/Modify';

function loadProtos() {
  const definition = protoLoader.loadSync(['remotemodel/v1/naming.proto', 'remotemodel/v1/model.proto'], {
    includeDirs: [path.resolve(__dirname, '..', '..', 'protos')],
    keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).remotemodel.v1;
}

function parseArguments(argv) {
  const options = { ns: process.env.REMOTEMODEL_NAMESERVER || 'http://127.0.0.1:9090', model: 'ticker', rate: 5 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!['--ns', '--model', '--rate'].includes(flag) || value === undefined) {
      throw new Error(`usage: ticker_client.js [--ns URL] [--model NAME] [--rate HZ] (got ${flag})`);
    }
    options[flag.slice(2)] = flag === '--rate' ? Number(value) : value;
  }
  return options;
}

/** grpc-js wants host:port; RemoteModel's addresses are http://host:port. */
function targetOf(address) {
  return address.replace(/^[a-z]+:\/\//, '');
}

function deadline() {
  return { deadline: new Date(Date.now() + TIMEOUT_MS) };
}

/** A Value as people read it. */
function show(value) {
  if (!value.kind) return 'null';
  // int64 arrives as a decimal string (longs: String keeps every digit): shown as the number it is.
  return value.kind === 'int_value' ? value.int_value : JSON.stringify(value[value.kind]);
}

/**
 * The ValueState of a notification's value: its entry in states, or else (the protocol's rule for an
 * absent entry) VALID, with no reason, changed at its source at the notification's own time.
 */
function stateOf(n, name) {
  return n.states[name] || { quality: 'QUALITY_VALID', reason: '', source_time: n.time };
}

/** " [ALARM: above high alarm limit 120]" after a value that is not VALID. */
function qualityMark(n, name) {
  const { quality, reason } = stateOf(n, name);
  if (quality === 'QUALITY_VALID' || quality === 'QUALITY_UNSPECIFIED') return '';
  const shown = quality.slice('QUALITY_'.length);
  return reason ? ` [${shown}: ${reason}]` : ` [${shown}]`;
}

function describeNotification(n) {
  const values = Object.keys(n.values).sort().map((name) => `${name}=${show(n.values[name])}${qualityMark(n, name)}`).join(' ');
  const by = n.changed_by ? ` by ${n.changed_by} (${n.cause})` : '';
  return `${n.kind} v${n.version} ${values}${by}`;
}

const call = (client, method, request) => new Promise((resolve, reject) =>
  client[method](request, deadline(), (error, reply) => (error ? reject(error) : resolve(reply))));

/** Modify(Rate=rate), signed with `key`; the answer's seals are checked. Resolves with the new version. */
function modifySigned(models, Model, key, caller, model, rate) {
  const method = Model.service.Modify;
  const request = method.requestSerialize({ model, values: { Rate: { double_value: rate } } });
  const headers = signing.signingHeaders(key, MODIFY_PATH, request);
  const metadata = new grpc.Metadata();
  for (const [name, value] of [...headers, ['remotemodel-caller', caller]]) metadata.set(name, value);
  const opener = new signing.ResponseOpener(key.secret, signing.nonceOf(headers), method.responseDeserialize);
  return new Promise((resolve, reject) => {
    let reply;
    const pending = models.makeUnaryRequest(MODIFY_PATH, (bytes) => bytes, opener.deserialize, request, metadata, deadline(),
      (error, answer) => { reply = answer; });
    pending.on('status', (status) => {
      const outcome = opener.finish(status, []);
      if (outcome.unverified) reject(new Error(`the answer could not be verified: ${outcome.unverified}`));
      else if (status.code !== grpc.status.OK) reject(Object.assign(new Error(status.details), { code: status.code }));
      else resolve(Number(reply.version));
    });
  });
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const key = process.env.REMOTEMODEL_KEY ? signing.keyFromEnvironment() : null;
  const v1 = loadProtos();

  const names = new v1.Naming(targetOf(options.ns), grpc.credentials.createInsecure());
  const { registration } = await call(names, 'Lookup', { name: options.model });
  names.close();
  console.log(`found ${registration.name} (${registration.metadata.type || '?'}) at ${registration.endpoints[0]}`);

  const models = new v1.Model(targetOf(registration.endpoints[0]), grpc.credentials.createInsecure());
  const description = await call(models, 'Describe', { model: options.model });
  for (const p of description.properties) {
    console.log(`property ${p.name}${p.unit ? ` [${p.unit}]` : ''}${p.read_only ? ' read-only' : ''}`);
  }

  const caller = `${os.userInfo().username}@${os.hostname()}`;
  const subscription = models.Subscribe({ model: options.model, viewer_name: 'node-example' });
  try {
    await new Promise((resolve, reject) => {
      // The Modify's answer and its notification may come in either order.
      let version = null;
      let ownLatest = -1;
      let seen = 0;
      const timer = setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS);
      const done = () => { clearTimeout(timer); resolve(); };
      const ifOwnChangeSeen = () => { if (version !== null && ownLatest >= version) done(); };
      subscription.on('error', (error) => { if (error.code !== grpc.status.CANCELLED) reject(error); });
      subscription.on('data', (n) => {
        console.log(describeNotification(n));
        if (seen++ > 0) {
          if (n.changed_by.startsWith(caller)) ownLatest = Number(n.version);
          ifOwnChangeSeen();
          return;
        }
        if (!key) {
          console.log('no $REMOTEMODEL_KEY: not changing anything');
          done();
          return;
        }
        modifySigned(models, v1.Model, key, caller, options.model, options.rate).then((v) => {
          console.log(`modified Rate=${options.rate} at v${v} (answer verified with key ${key.id})`);
          version = v;
          ifOwnChangeSeen();
        }, reject);
      });
    });
  } finally {
    subscription.cancel();
    models.close();
  }
}

main().then(() => process.exit(0), (failure) => {
  const code = failure.code !== undefined ? `${grpc.status[failure.code]}: ` : '';
  process.stderr.write(`ticker_client: ${code}${failure.details || failure.message}\n`);
  process.exit(1);
});
