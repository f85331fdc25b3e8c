// SPDX-License-Identifier: Apache-2.0
'use strict';
// In-process harness for the data-path tests: the real area handlers and
// state of tests/server, every request and response passed through the
// upstream wire encoding (proto-loader serializers) as over gRPC, without
// sockets.  Also builders for schemas, FieldData columns and placeholder
// groups in the wire layouts of the Go client.

const path = require('path');

const SDK_JSON = '@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js';

// true when the npm peers are installed; otherwise prints a TAP skip (or a
// failure when MILVUS_REQUIRE_PEERS=1) and returns false.
function peersAvailable() {
  try {
    require.resolve('@grpc/proto-loader');
    require.resolve('protobufjs');
    require.resolve(SDK_JSON);
    return true;
  } catch (e) {
    if (process.env.MILVUS_REQUIRE_PEERS === '1') {
      console.log('1..1');
      console.log('not ok 1 - required npm peers missing (run npm ci)');
      process.exitCode = 1;
    } else {
      console.log('1..0 # SKIP npm peers missing (run npm ci)');
    }
    return false;
  }
}

function makeServer(config) {
  const schema = require('../lib/schema');
  const { State } = require('../lib/state');
  const { loadHandlers, makeContext } = require('../lib/dispatcher');
  const { MilvusError } = require('../lib/errors');
  const loaded = schema.load();
  const service = loaded.service;
  const handlers = loadHandlers(path.join(__dirname, '..', 'areas'));
  const env = {
    state: new State(),
    config: {
      restoreDurationMs: 0, exportDurationMs: 0, indexBuildMs: 0, loadMs: 0,
      auth: { enabled: false, users: {}, tokens: [] }, maxRecvBytes: 64 << 20, version: 'test', ...(config || {}),
    },
    control: null,
  };
  const metadata = { get: () => [] };
  const bare = require('../lib/dispatcher').bareStatusMethods(loaded.json);

  // Calls one RPC; returns the decoded response (errors become statuses).
  async function call(method, request) {
    const def = service[method];
    if (!def) throw new Error(`no such method ${method}`);
    const req = def.requestDeserialize(def.requestSerialize(request));
    const handler = handlers[method];
    if (!handler) throw new Error(`unimplemented ${method}`);
    let resp;
    try {
      resp = await handler(req, makeContext(env, req, metadata), {});
    } catch (err) {
      if (!(err instanceof MilvusError)) throw err;
      const st = err.toStatus();
      resp = bare.has(method) ? st : { status: st };
    }
    return def.responseDeserialize(def.responseSerialize(resp));
  }

  function encode(typeName, obj) { return schema.encode(typeName, obj); }

  return { call, env, state: env.state, encode, schema, handlers };
}

// ---------------------------------------------------------------- schema
function field(name, type, opts) {
  const o = opts || {};
  const tp = [];
  if (o.dim !== undefined) tp.push({ key: 'dim', value: String(o.dim) });
  if (o.maxLength !== undefined) tp.push({ key: 'max_length', value: String(o.maxLength) });
  if (o.maxCapacity !== undefined) tp.push({ key: 'max_capacity', value: String(o.maxCapacity) });
  const f = {
    name, data_type: type, type_params: tp, is_primary_key: !!o.pk, autoID: !!o.autoID,
    nullable: !!o.nullable, element_type: o.elementType || 'None', is_partition_key: !!o.partitionKey,
  };
  if (o.default !== undefined) f.default_value = o.default;
  return f;
}

// ---------------------------------------------------------------- columns
const col = {
  bool: (n, v, valid) => ({ type: 'Bool', field_name: n, scalars: { bool_data: { data: v } }, valid_data: valid || [] }),
  int8: (n, v, valid) => ({ type: 'Int8', field_name: n, scalars: { int_data: { data: v } }, valid_data: valid || [] }),
  int16: (n, v, valid) => ({ type: 'Int16', field_name: n, scalars: { int_data: { data: v } }, valid_data: valid || [] }),
  int32: (n, v, valid) => ({ type: 'Int32', field_name: n, scalars: { int_data: { data: v } }, valid_data: valid || [] }),
  int64: (n, v, valid) => ({ type: 'Int64', field_name: n, scalars: { long_data: { data: v.map(String) } }, valid_data: valid || [] }),
  float: (n, v, valid) => ({ type: 'Float', field_name: n, scalars: { float_data: { data: v } }, valid_data: valid || [] }),
  double: (n, v, valid) => ({ type: 'Double', field_name: n, scalars: { double_data: { data: v } }, valid_data: valid || [] }),
  varchar: (n, v, valid) => ({ type: 'VarChar', field_name: n, scalars: { string_data: { data: v } }, valid_data: valid || [] }),
  json: (n, v, valid) => ({ type: 'JSON', field_name: n, scalars: { json_data: { data: v.map((x) => Buffer.from(JSON.stringify(x))) } }, valid_data: valid || [] }),
  dynamic: (v) => ({ type: 'JSON', field_name: '', is_dynamic: true, scalars: { json_data: { data: v.map((x) => Buffer.from(JSON.stringify(x))) } } }),
  array: (n, et, rows, valid) => {
    const key = { Int64: 'long_data', Int32: 'int_data', Int16: 'int_data', Int8: 'int_data', VarChar: 'string_data', Bool: 'bool_data', Float: 'float_data', Double: 'double_data' }[et];
    return {
      type: 'Array', field_name: n, valid_data: valid || [],
      scalars: { array_data: { element_type: et, data: rows.map((r) => ({ [key]: { data: et === 'Int64' ? r.map(String) : r } })) } },
    };
  },
  geometry: (n, v, valid) => ({ type: 'Geometry', field_name: n, scalars: { geometry_wkt_data: { data: v } }, valid_data: valid || [] }),
  timestamptz: (n, v, valid) => ({ type: 'Timestamptz', field_name: n, scalars: { timestamptz_data: { data: v.map(String) } }, valid_data: valid || [] }),
  floatVec: (n, dim, vs, valid) => ({ type: 'FloatVector', field_name: n, vectors: { dim: String(dim), float_vector: { data: vs.flat() } }, valid_data: valid || [] }),
  binaryVec: (n, dim, bufs) => ({ type: 'BinaryVector', field_name: n, vectors: { dim: String(dim), binary_vector: Buffer.concat(bufs) } }),
  f16Vec: (n, dim, bufs) => ({ type: 'Float16Vector', field_name: n, vectors: { dim: String(dim), float16_vector: Buffer.concat(bufs) } }),
  bf16Vec: (n, dim, bufs) => ({ type: 'BFloat16Vector', field_name: n, vectors: { dim: String(dim), bfloat16_vector: Buffer.concat(bufs) } }),
  int8Vec: (n, dim, bufs) => ({ type: 'Int8Vector', field_name: n, vectors: { dim: String(dim), int8_vector: Buffer.concat(bufs) } }),
  sparseVec: (n, rows) => {
    let max = -1;
    const contents = rows.map((r) => {
      const ents = Object.entries(r).map(([k, v]) => [Number(k), v]).sort((a, b) => a[0] - b[0]);
      const b = Buffer.alloc(ents.length * 8);
      ents.forEach(([k, v], i) => { b.writeUInt32LE(k, 8 * i); b.writeFloatLE(v, 8 * i + 4); if (k > max) max = k; });
      return b;
    });
    return { type: 'SparseFloatVector', field_name: n, vectors: { dim: String(max + 1), sparse_float_vector: { contents, dim: String(max + 1) } } };
  },
};

function floatBytes(v) {
  const b = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => b.writeFloatLE(x, 4 * i));
  return b;
}

// Deterministic pseudo-random numbers (tests must be reproducible)
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function kv(obj) {
  return Object.entries(obj).map(([key, value]) => ({ key, value: String(value) }));
}

// Collection with an index on every vector field and loaded.
async function makeCollection(srv, name, fields, opts) {
  const o = opts || {};
  const schemaBytes = srv.encode('milvus.proto.schema.CollectionSchema', {
    name, description: '', fields, enable_dynamic_field: !!o.dynamic,
  });
  let r = await srv.call('CreateCollection', {
    collection_name: name, schema: schemaBytes, shards_num: 1, num_partitions: o.numPartitions || 0,
  });
  if (r.code !== 0) throw new Error(`CreateCollection: ${r.reason}`);
  for (const p of o.partitions || []) {
    r = await srv.call('CreatePartition', { collection_name: name, partition_name: p });
    if (r.code !== 0) throw new Error(`CreatePartition: ${r.reason}`);
  }
  for (const f of fields) {
    if (!/Vector$/.test(f.data_type)) continue;
    const metric = (o.metrics && o.metrics[f.name]) || undefined;
    const extra = { index_type: 'AUTOINDEX' };
    if (metric) extra.metric_type = metric;
    r = await srv.call('CreateIndex', { collection_name: name, field_name: f.name, extra_params: kv(extra) });
    if (r.code !== 0) throw new Error(`CreateIndex: ${r.reason}`);
  }
  if (o.load !== false) {
    r = await srv.call('LoadCollection', { collection_name: name });
    if (r.code !== 0) throw new Error(`LoadCollection: ${r.reason}`);
  }
}

function placeholder(srv, type, values) {
  return srv.encode('milvus.proto.common.PlaceholderGroup', { placeholders: [{ tag: '$0', type, values }] });
}

function searchReq(srv, coll, vectors, params, extra) {
  const values = vectors.map((v) => (Buffer.isBuffer(v) ? v : floatBytes(v)));
  const type = (extra && extra.phType) || 'FloatVector';
  return {
    collection_name: coll,
    dsl: (extra && extra.filter) || '',
    dsl_type: 'BoolExprV1',
    placeholder_group: placeholder(srv, type, values),
    output_fields: (extra && extra.output) || [],
    search_params: kv({ round_decimal: -1, params: '{}', ...params }),
    nq: String(vectors.length),
    expr_template_values: (extra && extra.templates) || {},
    partition_names: (extra && extra.partitions) || [],
  };
}

module.exports = { peersAvailable, makeServer, field, col, floatBytes, rng, kv, makeCollection, placeholder, searchReq };
