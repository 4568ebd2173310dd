#!/usr/bin/env node
'use strict';
/**
 * A stock @grpc/grpc-js client that uses the server reflection service as grpcurl does, against
 * an Echo server: it lists the services, fetches the file that defines Echo with its imports,
 * builds the message types from those descriptors alone (protobufjs) and calls Echo.Unary with
 * them. Usage:
 *
 *   node reflection_client.js --target 127.0.0.1:PORT [--case NAME]
 *
 * Prints one JSON object per case and line; mirrors tests/interop/python/reflection_client.py.
 */

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const descriptor = require('protobufjs/ext/descriptor');
const caseRunner = require('./case_runner');

const { expect } = caseRunner;

const RPC_TIMEOUT_MS = 8000;
const ECHO = 'remotemodel.testing.v1.Echo';
const NOT_FOUND = 5;

function loadReflection() {
  const protosDir = path.resolve(__dirname, '..', '..', '..', 'protos');
  const definition = protoLoader.loadSync(
    ['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'],
    { includeDirs: [protosDir], keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true },
  );
  const loaded = grpc.loadPackageDefinition(definition);
  return { v1: loaded.grpc.reflection.v1.ServerReflection, v1alpha: loaded.grpc.reflection.v1alpha.ServerReflection };
}

const REFLECTION = loadReflection();

/** Sends the requests on one ServerReflectionInfo stream, half-closes, and resolves with the answers in order. */
function reflect(target, requests, version = 'v1') {
  const client = new REFLECTION[version](target, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const answers = [];
    const call = client.ServerReflectionInfo({ deadline: new Date(Date.now() + RPC_TIMEOUT_MS) });
    call.on('data', (answer) => answers.push(answer));
    call.on('error', (error) => { client.close(); reject(error); });
    call.on('end', () => { client.close(); resolve(answers); });
    for (const request of requests) call.write({ host: 'localhost', ...request });
    call.end();
  });
}

/** A protobufjs root of the serialized FileDescriptorProtos an answer carries. */
function rootOf(answer) {
  const files = answer.file_descriptor_response.file_descriptor_proto.map((bytes) => descriptor.FileDescriptorProto.decode(bytes));
  return { root: protobuf.Root.fromDescriptor({ file: files }), names: files.map((f) => f.name) };
}

class Cases {
  constructor(target) {
    this.target = target;
  }

  async list_services() {
    const [answer] = await reflect(this.target, [{ list_services: '' }]);
    const names = answer.list_services_response.service.map((s) => s.name);
    for (const expected of [ECHO, 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']) {
      expect(names.includes(expected), `list_services lacks ${expected}: ${names}`);
    }
    return names.join(', ');
  }

  async describe_and_call() {
    const [answer] = await reflect(this.target, [{ file_containing_symbol: ECHO }]);
    const { root, names } = rootOf(answer);
    const service = root.lookupService(ECHO);
    const unary = service.methods.Unary.resolve();
    const Request = unary.resolvedRequestType;
    const Reply = unary.resolvedResponseType;
    const client = new grpc.Client(this.target, grpc.credentials.createInsecure());
    try {
      const reply = await new Promise((resolve, reject) => client.makeUnaryRequest(
        `/${ECHO}/Unary`,
        (message) => Buffer.from(Request.encode(Request.create(message)).finish()),
        (bytes) => Reply.decode(bytes),
        { payload: Buffer.from('reflected') },
        { deadline: new Date(Date.now() + RPC_TIMEOUT_MS) },
        (error, response) => (error ? reject(error) : resolve(response))));
      expect(Buffer.from(reply.payload).toString() === 'reflected', `Unary through reflected types answered ${JSON.stringify(reply)}`);
    } finally {
      client.close();
    }
    return `files ${names}; methods ${Object.keys(service.methods)}; Unary answered through reflected types`;
  }

  async unknown_symbol_is_not_found_and_the_stream_goes_on() {
    const [missing, listed] = await reflect(this.target, [{ file_containing_symbol: 'no.such.Symbol' }, { list_services: '' }]);
    expect(missing.error_response && missing.error_response.error_code === NOT_FOUND, `answered ${JSON.stringify(missing)}`);
    expect(listed.list_services_response.service.length > 0, 'the stream did not go on after the error');
    return missing.error_response.error_message;
  }

  async v1alpha() {
    const [listed, described] = await reflect(this.target, [{ list_services: '' }, { file_containing_symbol: `${ECHO}.Unary` }], 'v1alpha');
    expect(listed.list_services_response.service.some((s) => s.name === ECHO), 'v1alpha list_services lacks Echo');
    const { root } = rootOf(described);
    expect(root.lookupService(ECHO).methods.Unary.requestType.endsWith('EchoRequest'), 'v1alpha described Unary wrongly');
    return 'v1alpha lists and describes as v1 does';
  }
}

caseRunner.main({
  usageLine: 'node reflection_client.js --target HOST:PORT [--case NAME]',
  caseNames: ['list_services', 'describe_and_call', 'unknown_symbol_is_not_found_and_the_stream_goes_on', 'v1alpha'],
  makeCases: (target) => new Cases(target),
  describe: caseRunner.describeRpcError,
});
