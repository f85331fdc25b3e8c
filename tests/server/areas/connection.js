// SPDX-License-Identifier: Apache-2.0
'use strict';
// Connect handshake, version, health, and the SDK's telemetry heartbeat.

const crypto = require('crypto');

// A random positive int64, as the proxy hands out per connection.
function randomIdentifier() {
  const n = crypto.randomBytes(8).readBigUInt64BE() & 0x7fffffffffffffffn;
  return (n === 0n ? 1n : n).toString();
}

function serverInfo(ctx) {
  return {
    build_tags: ctx.config.version,
    build_time: 'test-server',
    git_commit: 'in-memory',
    go_version: `node ${process.version}`,
    deploy_mode: 'STANDALONE',
    reserved: {},
  };
}

module.exports = {
  handlers: {
    async Connect(req, ctx) {
      ctx.state.getDatabase(ctx.dbName); // an unknown dbname fails like the proxy
      return { status: ctx.ok(), server_info: serverInfo(ctx), identifier: randomIdentifier() };
    },

    async GetVersion(req, ctx) {
      return { status: ctx.ok(), version: ctx.config.version };
    },

    async CheckHealth(req, ctx) {
      return { status: ctx.ok(), isHealthy: true, reasons: [], quota_states: [] };
    },

    // milvus.proto.milvus.ClientTelemetryService
    async ClientHeartbeat(req, ctx) {
      return { status: ctx.ok(), server_timestamp: String(Date.now()), commands: [] };
    },
  },
};
