// SPDX-License-Identifier: Apache-2.0
'use strict';
// Test helpers: start server.js as a child process on port 0, a raw grpc-js
// MilvusService client, and the control service over raw JSON bytes.

const path = require('path');
const { spawn } = require('child_process');
const grpc = require('@grpc/grpc-js');
const schema = require('./schema');

const SERVER = path.join(__dirname, '..', 'server.js');

// Resolves { child, port, stop() } once the server prints LISTENING.
function startServer(args = [], env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER, '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start: ${err}`)); }, 15000);
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^LISTENING (\d+)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ child, port: Number(m[1]), stderr: () => err, stop: () => stopChild(child) });
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${err}`)); });
  });
}

// SIGTERM, resolving with the exit code.
function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(child.exitCode); return; }
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function milvusClient(port, credentials = grpc.credentials.createInsecure()) {
  const Client = grpc.makeGenericClientConstructor(schema.load().service, 'MilvusService');
  const client = new Client(`127.0.0.1:${port}`, credentials);
  // call(method, request, metadata?) -> Promise<response>; gRPC errors reject.
  const call = (method, req = {}, meta = {}) => new Promise((resolve, reject) => {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(meta)) md.set(k, v);
    client[method](req, md, (e, r) => (e ? reject(e) : resolve(r)));
  });
  return { client, call, close: () => client.close() };
}

function controlClient(port) {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const raw = (method, obj) => new Promise((resolve, reject) => {
    const id = (b) => b;
    client.makeUnaryRequest(`/milvus.test.Control/${method}`, id, id, Buffer.from(JSON.stringify(obj || {})),
      (e, r) => (e ? reject(e) : resolve(JSON.parse(r.toString('utf8')))));
  });
  return { set: (obj) => raw('Set', obj), get: () => raw('Get', {}), close: () => client.close() };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn() until pred(result) or the deadline; returns the last result.
async function pollUntil(fn, pred, timeoutMs = 10000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fn();
    if (pred(r) || Date.now() > deadline) return r;
    await sleep(everyMs);
  }
}

function encodeSchema(obj) {
  return schema.encode('milvus.proto.schema.CollectionSchema', obj);
}

module.exports = { startServer, milvusClient, controlClient, sleep, pollUntil, encodeSchema, SERVER };
