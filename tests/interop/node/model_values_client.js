#!/usr/bin/env node
'use strict';
/**
 * A stock @grpc/grpc-js client that reads what a RemoteModel model server says about its values:
 * the quality and source time of each value, the host's epoch, and resuming a subscription without
 * a snapshot (or the RESYNC that says why not).
 *
 * The C# tests launch it against a model server hosting an "oven" whose Temperature has alarm
 * limits (high alarm 120) and callers who name themselves (no keys). Usage:
 *
 *   node model_values_client.js --target 127.0.0.1:PORT [--case NAME]
 *
 * Prints one JSON object per case and line: {"case": ..., "ok": true|false, "detail": ...}.
 * Case names and checks mirror tests/interop/python/model_values_client.py.
 */

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const caseRunner = require('./case_runner');

const { expect } = caseRunner;

const MODEL = 'oven';
const RPC_TIMEOUT_MS = 8000;
const CASES = ['quality', 'epoch', 'resume', 'resync'];

function loadModelService() {
  const definition = protoLoader.loadSync(['remotemodel/v1/model.proto'], {
    includeDirs: [path.resolve(__dirname, '..', '..', '..', 'protos')],
    keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).remotemodel.v1.Model;
}

/**
 * The ValueState of a notification's value: its entry in states, or else VALID, with no reason,
 * changed at its source at the notification's own time (the server leaves such states out).
 */
function stateOf(notification, name) {
  return notification.states[name] || { quality: 'QUALITY_VALID', reason: '', source_time: notification.time };
}

function deadline() {
  return new Date(Date.now() + RPC_TIMEOUT_MS);
}

/** A subscription whose notifications are taken one at a time, each read racing a timeout. */
function subscribe(client, request) {
  const call = client.Subscribe(request);
  const seen = [];
  const waiting = [];
  const deliver = (item) => (waiting.length ? waiting.shift()(item) : seen.push(item));
  call.on('data', deliver);
  call.on('error', (error) => deliver(error));
  return {
    next() {
      const item = seen.length ? Promise.resolve(seen.shift()) : new Promise((resolve) => waiting.push(resolve));
      return item.then((value) => {
        if (value instanceof Error) throw value;
        return value;
      });
    },
    cancel() {
      call.cancel();
    },
  };
}

function makeCases(target) {
  const Model = loadModelService();
  const client = new Model(target, grpc.credentials.createInsecure());
  const unary = (method, request, metadata = new grpc.Metadata()) => new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: deadline() }, (error, reply) => (error ? reject(error) : resolve(reply)));
  });
  const modify = (temperature) => {
    const metadata = new grpc.Metadata();
    metadata.set('remotemodel-caller', 'node-interop');
    return unary('Modify', { model: MODEL, values: { Temperature: { double_value: temperature } } }, metadata);
  };

  return {
    async quality() {
      const description = await unary('Describe', { model: MODEL });
      const temperature = description.properties.find((p) => p.name === 'Temperature');
      expect(temperature.high_alarm.double_value === 120 && temperature.high_warning.double_value === 100, `Describe gives the limits: ${JSON.stringify(temperature)}`);
      const modified = await modify(130.5);
      expect(modified.states.Temperature.quality === 'QUALITY_ALARM', `Modify's answer says ALARM: ${JSON.stringify(modified)}`);
      const query = await unary('Query', { model: MODEL, properties: ['Temperature'] });
      const state = query.states.Temperature;
      expect(state.quality === 'QUALITY_ALARM' && state.reason.includes('120'), `Query says ALARM beyond 120: ${JSON.stringify(query)}`);
      expect(Number(state.source_time.seconds) > 0, `Query gives the source time: ${JSON.stringify(state)}`);
      const back = await modify(50);
      expect(back.states.Temperature.quality === 'QUALITY_VALID', `back to VALID: ${JSON.stringify(back)}`);
      return `ALARM at 130.5 (${state.reason}), VALID at 50`;
    },

    async epoch() {
      const described = (await unary('Describe', { model: MODEL })).epoch;
      const queried = (await unary('Query', { model: MODEL })).epoch;
      const subscription = subscribe(client, { model: MODEL });
      const snapshot = await subscription.next();
      subscription.cancel();
      expect(described && described === queried && queried === snapshot.epoch,
        `one epoch everywhere: describe ${described} query ${queried} snapshot ${snapshot.epoch}`);
      return described;
    },

    async resume() {
      const subscription = subscribe(client, { model: MODEL });
      const snapshot = await subscription.next();
      subscription.cancel();
      const missed = [];
      for (const temperature of [60, 105.5, 70]) missed.push((await modify(temperature)).version);
      const resumed = subscribe(client, { model: MODEL, resume_epoch: snapshot.epoch, resume_after_version: snapshot.version });
      try {
        const first = await resumed.next();
        expect(first.kind === 'RESUMED' && first.version === snapshot.version && Object.keys(first.values).length === 0,
          `starts with RESUMED at v${snapshot.version}: ${JSON.stringify(first)}`);
        const replayed = [];
        for (let i = 0; i < missed.length; i++) replayed.push(await resumed.next());
        expect(JSON.stringify(replayed.map((n) => n.version)) === JSON.stringify(missed),
          `exactly the missed versions ${missed}: ${replayed.map((n) => n.version)}`);
        const qualities = replayed.map((n) => stateOf(n, 'Temperature').quality);
        expect(JSON.stringify(qualities) === JSON.stringify(['QUALITY_VALID', 'QUALITY_WARNING', 'QUALITY_VALID']), `each with its quality: ${qualities}`);
        // A VALID value that changed then carries no state: its source time is the notification's.
        const explicit = replayed.map((n) => 'Temperature' in n.states);
        expect(JSON.stringify(explicit) === JSON.stringify([false, true, false]), `a state only where it is not VALID: ${explicit}`);
        expect(replayed.every((n) => JSON.stringify(stateOf(n, 'Temperature').source_time) === JSON.stringify(n.time)), `each changed at its source then: ${JSON.stringify(replayed)}`);
        return `replayed v${missed.join(',')}`;
      } finally {
        resumed.cancel();
      }
    },

    async resync() {
      const { epoch } = await unary('Query', { model: MODEL });
      const subscription = subscribe(client, { model: MODEL, resume_epoch: 'an-epoch-before-a-restart', resume_after_version: 3 });
      const first = await subscription.next();
      subscription.cancel();
      expect(first.kind === 'RESYNC' && first.resync_reason === 'EPOCH_CHANGED' && first.epoch === epoch && 'Temperature' in first.values,
        `a RESYNC snapshot saying the epoch changed: ${JSON.stringify(first)}`);
      return `RESYNC EPOCH_CHANGED at v${first.version}`;
    },
  };
}

caseRunner.main({
  usageLine: 'node model_values_client.js --target HOST:PORT [--case NAME]',
  caseNames: CASES,
  makeCases,
  describe: caseRunner.describeRpcError,
});
