// SPDX-License-Identifier: Apache-2.0
'use strict';
// Turns the area handlers into grpc-js service implementations: message
// size limit, fault injection, authentication, database resolution and the
// mapping of thrown errors to Milvus statuses or gRPC errors.

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const { MilvusError, GrpcError, okStatus, E } = require('./errors');

const AREAS_DIR = path.join(__dirname, '..', 'areas');

// Loads every areas/*.js and merges their handlers; a name defined twice is
// a startup error (two modules must never both answer one RPC).
function loadHandlers(dir = AREAS_DIR) {
  const handlers = {};
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  for (const file of files) {
    const mod = require(path.join(dir, file));
    for (const [name, fn] of Object.entries(mod.handlers || {})) {
      if (handlers[name]) throw new Error(`${file}: handler ${name} already defined`);
      handlers[name] = fn;
    }
  }
  return handlers;
}

function firstValue(metadata, key) {
  const v = metadata.get(key);
  return v.length ? String(v[0]) : '';
}

function makeContext(env, req, metadata) {
  const dbName = req.db_name || req.dbName || firstValue(metadata, 'dbname') || 'default';
  return {
    state: env.state,
    config: env.config,
    control: env.control,
    ok: okStatus,
    dbName,
    metadata,
    now: () => Date.now(),
    get db() { return env.state.getDatabase(dbName); },
  };
}

// Credentials as the proxy accepts them: base64("user:password") or the
// base64 of a token (API key).
function authenticate(auth, metadata) {
  if (!auth.enabled) return null;
  const header = firstValue(metadata, 'authorization');
  if (!header) return 'missing authorization in header';
  // The proxy decodes with Go's base64.StdEncoding: padded, standard
  // alphabet, nothing else.  Anything it would reject fails here too.
  if (header.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(header)) {
    return 'auth check failure, please check username and password are correct';
  }
  const raw = Buffer.from(header, 'base64').toString('utf8');
  if (auth.tokens.includes(raw)) return null;
  const colon = raw.indexOf(':');
  if (colon > 0) {
    const user = raw.slice(0, colon);
    if (Object.prototype.hasOwnProperty.call(auth.users, user) && auth.users[user] === raw.slice(colon + 1)) return null;
  }
  return 'auth check failure, please check username and password are correct';
}

// The http2 stream of a call sits at the end of the interceptor chain.
function destroyConnection(call) {
  let c = call.call;
  for (let i = 0; c && i < 16; i++) {
    if (c.stream && c.stream.session) {
      c.stream.session.destroy();
      return true;
    }
    c = c.nextCall;
  }
  return false;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class Dispatcher {
  // env: { state, config, control, handlers, bareStatus: Set of method names }
  constructor(env) {
    this.env = env;
  }

  // A service definition whose request decoding first checks the size limit
  // (so the limit can change at run time and the error reads like grpc-go's).
  wrapDefinition(definition) {
    const control = this.env.control;
    const out = {};
    for (const [name, def] of Object.entries(definition)) {
      const decode = def.requestDeserialize;
      out[name] = {
        ...def,
        requestDeserialize(buf) {
          const limit = control.maxRecvBytes();
          if (buf.length > limit) return { __tooLarge: buf.length, __limit: limit };
          return decode(buf);
        },
      };
    }
    return out;
  }

  implementation(definition) {
    const impl = {};
    for (const [name, def] of Object.entries(definition)) {
      if (def.requestStream || def.responseStream) {
        impl[name] = (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: `${name} is not supported` });
      } else {
        impl[name] = (call, callback) => {
          this.unary(name, call, callback).catch((err) => callback({ code: grpc.status.INTERNAL, details: String(err && err.message) }));
        };
      }
    }
    return impl;
  }

  errorResponse(name, err) {
    const status = err.toStatus();
    return this.env.bareStatus.has(name) ? status : { status };
  }

  // Checks that happen before the handler; returns true when the call has
  // been answered (or dropped) already.
  async preflight(name, call, callback) {
    const { control, config } = this.env;
    const req = call.request || {};
    if (req.__tooLarge) {
      control.injected.too_large++;
      callback({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: `grpc: received message larger than max (${req.__tooLarge} vs. ${req.__limit})`,
      });
      return true;
    }
    const delay = control.latency(name);
    if (delay > 0) await sleep(delay);
    const fault = control.nextFault(name);
    if (fault === 'drop') {
      if (!destroyConnection(call)) callback({ code: grpc.status.UNAVAILABLE, details: 'connection dropped' });
      return true;
    }
    if (fault === 'unavailable') {
      callback({ code: grpc.status.UNAVAILABLE, details: 'injected fault: service unavailable' });
      return true;
    }
    const authError = authenticate(config.auth, call.metadata);
    if (authError) {
      callback({ code: grpc.status.UNAUTHENTICATED, details: authError });
      return true;
    }
    if (fault === 'rate_limit') {
      const err = E.rateLimit('request is rejected by grpc RateLimiter middleware, please retry later');
      callback(null, this.errorResponse(name, err));
      return true;
    }
    return false;
  }

  async unary(name, call, callback) {
    const { control, handlers } = this.env;
    control.record(name, call.metadata);
    if (await this.preflight(name, call, callback)) return;
    const handler = handlers[name];
    if (!handler) {
      callback({ code: grpc.status.UNIMPLEMENTED, details: `unknown method ${name}` });
      return;
    }
    try {
      const ctx = makeContext(this.env, call.request, call.metadata);
      const resp = await handler(call.request, ctx, call);
      callback(null, resp);
    } catch (err) {
      this.fail(name, err, callback);
    }
  }

  fail(name, err, callback) {
    if (err instanceof MilvusError) {
      callback(null, this.errorResponse(name, err));
    } else if (err instanceof GrpcError) {
      callback({ code: err.grpcCode, details: err.message });
    } else {
      process.stderr.write(`server: ${name}: ${err && err.stack}\n`);
      callback({ code: grpc.status.INTERNAL, details: String(err && err.message) });
    }
  }
}

// Names of the methods whose response type is a bare common.Status.
function bareStatusMethods(json) {
  const services = json.nested.milvus.nested.proto.nested.milvus.nested;
  const out = new Set();
  for (const svc of ['MilvusService', 'ClientTelemetryService']) {
    const methods = (services[svc] && services[svc].methods) || {};
    for (const [name, m] of Object.entries(methods)) {
      if (m.responseType === 'common.Status') out.add(name);
    }
  }
  return out;
}

module.exports = { Dispatcher, loadHandlers, bareStatusMethods, authenticate, makeContext };
