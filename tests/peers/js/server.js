// SPDX-License-Identifier: Apache-2.0
'use strict';
// A grpc-js (pure JavaScript) grpc.testing.TestService server.
//
// Loads Debian's /usr/share/grpc-proto/grpc/testing/test.proto when present,
// otherwise our own messages (tests/interop/grpc_testing.proto) with the
// service from test_service.proto next to this file.
// Usage: node server.js [--port=N] [--cert=F --key=F [--client_ca=F]]
// Prints "PORT <n>" on stdout once it listens.

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: '0', proto_root: '/usr/share/grpc-proto' };
  for (const a of argv) {
    const m = /^--([a-z_]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`bad argument ${a} (expected --name=value)`);
    args[m[1]] = m[2];
  }
  return args;
}

function loadService(protoRoot) {
  const opts = { keepCase: true, longs: Number, enums: Number, defaults: true };
  const official = path.join(protoRoot, 'grpc/testing/test.proto');
  let def;
  if (fs.existsSync(official)) {
    def = loader.loadSync('grpc/testing/test.proto', { ...opts, includeDirs: [protoRoot] });
  } else {
    def = loader.loadSync('test_service.proto', {
      ...opts,
      includeDirs: [__dirname, path.join(__dirname, '..', '..', 'interop')],
    });
  }
  return grpc.loadPackageDefinition(def).grpc.testing.TestService.service;
}

// Splits the echo keys of the request metadata into what goes back as
// initial metadata and what goes back in the trailers.
function echoMetadata(call) {
  const initial = new grpc.Metadata();
  const trailing = new grpc.Metadata();
  for (const v of call.metadata.get(ECHO_INITIAL)) initial.add(ECHO_INITIAL, v);
  for (const v of call.metadata.get(ECHO_TRAILING)) trailing.add(ECHO_TRAILING, v);
  if (Object.keys(initial.getMap()).length > 0) call.sendMetadata(initial);
  return trailing;
}

function payload(size) {
  return { type: 0, body: Buffer.alloc(size) };
}

const sleep = (us) => new Promise((resolve) => setTimeout(resolve, us / 1000));

const handlers = {
  EmptyCall(call, callback) {
    const trailing = echoMetadata(call);
    callback(null, {}, trailing);
  },

  UnaryCall(call, callback) {
    const trailing = echoMetadata(call);
    const req = call.request;
    const st = req.response_status;
    if (st && st.code !== 0) {
      callback({ code: st.code, details: st.message, metadata: trailing });
      return;
    }
    if (req.response_size < 0) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: 'negative response size' });
      return;
    }
    callback(null, { payload: payload(req.response_size) }, trailing);
  },

  async StreamingOutputCall(call) {
    const trailing = echoMetadata(call);
    const req = call.request;
    for (const p of req.response_parameters) {
      if (p.interval_us > 0) await sleep(p.interval_us);
      if (call.cancelled) return;
      call.write({ payload: payload(p.size) });
    }
    const st = req.response_status;
    if (st && st.code !== 0) {
      call.emit('error', { code: st.code, details: st.message, metadata: trailing });
      return;
    }
    call.end(trailing);
  },
};

function main() {
  const args = parseArgs(process.argv.slice(2));
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 << 20 });
  server.addService(loadService(args.proto_root), handlers);
  let creds = grpc.ServerCredentials.createInsecure();
  if (args.cert) {
    creds = grpc.ServerCredentials.createSsl(
      args.client_ca ? fs.readFileSync(args.client_ca) : null,
      [{ private_key: fs.readFileSync(args.key), cert_chain: fs.readFileSync(args.cert) }],
      Boolean(args.client_ca));
  }
  server.bindAsync(`${args.host}:${args.port}`, creds, (err, port) => {
    if (err) {
      console.error(`js-peer: ${err.message}`);
      process.exit(1);
    }
    process.stdout.write(`PORT ${port}\n`);
  });
  process.on('SIGTERM', () => server.forceShutdown() || process.exit(0));
}

main();
