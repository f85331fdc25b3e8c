#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
'use strict';
// A Milvus-protocol test server: MilvusService from the upstream schema over
// grpc-js, backed by an in-memory model, with a control service for fault
// injection.  Usage and control keys: tests/server/README.

const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const schema = require('./lib/schema');
const { State } = require('./lib/state');
const { Control } = require('./lib/control');
const { Dispatcher, loadHandlers, bareStatusMethods } = require('./lib/dispatcher');

const VERSION = 'v2.6.4';
const MiB = 1024 * 1024;

const USAGE = `usage: server.js [--port N] [--port-file F] [--restore-ms N] [--export-ms N]
  [--index-ms N] [--load-ms N] [--auth user:pass[,user:pass]] [--token T]
  [--max-recv-bytes N] [--tls-cert F --tls-key F]`;

const INT_FLAGS = {
  '--port': 'port',
  '--restore-ms': 'restoreDurationMs',
  '--export-ms': 'exportDurationMs',
  '--index-ms': 'indexBuildMs',
  '--load-ms': 'loadMs',
  '--max-recv-bytes': 'maxRecvBytes',
};

function defaultConfig() {
  return {
    port: 0,
    portFile: '',
    restoreDurationMs: 3000,
    exportDurationMs: 3000,
    indexBuildMs: 500,
    loadMs: 500,
    maxRecvBytes: 64 * MiB,
    auth: { enabled: false, users: {}, tokens: [] },
    tlsCert: '',
    tlsKey: '',
    version: VERSION,
  };
}

function parseUsers(config, list) {
  for (const pair of list.split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw new Error(`--auth expects user:password, got '${pair}'`);
    config.auth.users[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  config.auth.enabled = true;
}

function parseArgs(argv) {
  const config = defaultConfig();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    if (value === undefined) throw new Error(`${flag}: missing value\n${USAGE}`);
    i++;
    if (INT_FLAGS[flag]) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: not a non-negative integer: ${value}`);
      config[INT_FLAGS[flag]] = n;
    } else if (flag === '--port-file') {
      config.portFile = value;
    } else if (flag === '--auth') {
      parseUsers(config, value);
    } else if (flag === '--token') {
      config.auth.tokens.push(value);
      config.auth.enabled = true;
    } else if (flag === '--tls-cert') {
      config.tlsCert = value;
    } else if (flag === '--tls-key') {
      config.tlsKey = value;
    } else {
      throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) throw new Error('--tls-cert and --tls-key go together');
  return config;
}

function credentials(config) {
  if (!config.tlsCert) return grpc.ServerCredentials.createInsecure();
  const pair = { cert_chain: fs.readFileSync(config.tlsCert), private_key: fs.readFileSync(config.tlsKey) };
  return grpc.ServerCredentials.createSsl(null, [pair], false);
}

const passthrough = (b) => b;

function controlDefinition() {
  const method = (name) => ({
    path: `/milvus.test.Control/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: passthrough,
    requestDeserialize: passthrough,
    responseSerialize: passthrough,
    responseDeserialize: passthrough,
  });
  return { Set: method('Set'), Get: method('Get') };
}

function controlImplementation(control) {
  const reply = (callback, obj) => callback(null, Buffer.from(JSON.stringify(obj)));
  return {
    Set(call, callback) {
      let request;
      try {
        const text = call.request.length ? call.request.toString('utf8') : '{}';
        request = JSON.parse(text);
        if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new Error('expected a JSON object');
        reply(callback, control.set(request));
      } catch (err) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: err.message });
      }
    },
    Get(call, callback) {
      reply(callback, control.snapshot());
    },
  };
}

// Builds the grpc-js server; returns { server, state, control }.
function createServer(config) {
  const loaded = schema.load();
  const state = new State();
  const control = new Control(config);
  const dispatcher = new Dispatcher({
    state, config, control, handlers: loadHandlers(), bareStatus: bareStatusMethods(loaded.json),
  });
  const server = new grpc.Server({
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  });
  for (const def of [loaded.service, loaded.telemetry]) {
    if (!def) continue;
    const wrapped = dispatcher.wrapDefinition(def);
    server.addService(wrapped, dispatcher.implementation(wrapped));
  }
  server.addService(controlDefinition(), controlImplementation(control));
  return { server, state, control };
}

function listen(server, config) {
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${config.port}`, credentials(config), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

function installSignals(server) {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => { server.forceShutdown(); process.exit(0); }, 1000);
    force.unref();
    server.tryShutdown(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main() {
  let config;
  try {
    config = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const { server } = createServer(config);
  const port = await listen(server, config);
  if (config.portFile) {
    // Written then renamed so a waiting test never reads a partial file.
    fs.writeFileSync(`${config.portFile}.tmp`, `${port}\n`);
    fs.renameSync(`${config.portFile}.tmp`, config.portFile);
  }
  installSignals(server);
  process.stdout.write(`LISTENING ${port}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`server: ${err.stack || err}\n`);
    process.exit(1);
  });
}

module.exports = { createServer, parseArgs, listen, VERSION };
