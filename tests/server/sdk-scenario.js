// SPDX-License-Identifier: Apache-2.0
'use strict';
// The official Node SDK (@zilliz/milvus2-sdk-node) against the test server:
// an independent client drives the whole user path and every result is
// checked against what the test computes itself (the SDK turns
// UNIMPLEMENTED into an empty success, so "no error" proves nothing).
// Prints TAP (node:test).

function skipAll(reason) {
  if (process.env.MILVUS_REQUIRE_PEERS === '1') {
    process.stdout.write(`1..1\nnot ok 1 - required peer missing: ${reason}\n`);
    process.exit(1);
  }
  process.stdout.write(`1..0 # SKIP ${reason}\n`);
  process.exit(0);
}

for (const mod of ['@grpc/grpc-js', '@grpc/proto-loader', '@zilliz/milvus2-sdk-node', 'protobufjs']) {
  try { require.resolve(mod); } catch (e) { skipAll(`npm module ${mod} not installed (run npm ci)`); }
}

const test = require('node:test');
const assert = require('node:assert');
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
const h = require('./lib/harness');

const COLL = 'sdk_scenario';
const RESTORED = 'sdk_scenario_restored';
const DIM = 8;
const ROWS = 200;
const TOPK = 5;

let srv;
let client;
let ctl;
let rows;

// Deterministic pseudo-random vectors (no ties in practice).
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function makeRows() {
  const rnd = lcg(42);
  return Array.from({ length: ROWS }, (_, i) => ({
    id: 1000 + i,
    vec: Array.from({ length: DIM }, () => Math.fround(rnd())),
    tag: `t${i % 7}`,
  }));
}

// Milvus L2 is the squared Euclidean distance, smaller first.
function bruteForce(query, k, filter = () => true) {
  return rows.filter(filter)
    .map((r) => ({ id: r.id, d: r.vec.reduce((s, x, j) => s + (x - query[j]) ** 2, 0) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, k);
}

function assertOk(res, what) {
  const s = res.status || res;
  assert.strictEqual(s.error_code, 'Success', `${what}: ${s.error_code} ${s.reason}`);
  return res;
}

test('server starts and the SDK connects', async () => {
  srv = await h.startServer(['--index-ms', '200', '--load-ms', '200', '--restore-ms', '500', '--auth', 'root:Milvus']);
  client = new MilvusClient({ address: `127.0.0.1:${srv.port}`, username: 'root', password: 'Milvus' });
  await client.connectPromise;
  ctl = h.controlClient(srv.port);
  const v = await client.getVersion();
  assert.match(v.version, /^v2\.6\./);
  const seen = await ctl.get();
  assert.ok(seen.calls.Connect >= 1, 'the SDK sent Connect');
  assert.match(seen.metadata.GetVersion.identifier || '', /^[1-9]\d*$/, 'later calls carry the identifier');
});

test('createCollection / describeCollection / hasCollection', async () => {
  assertOk(await client.createCollection({
    collection_name: COLL,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'vec', data_type: DataType.FloatVector, dim: DIM },
      { name: 'tag', data_type: DataType.VarChar, max_length: 16 },
    ],
  }), 'createCollection');
  const d = assertOk(await client.describeCollection({ collection_name: COLL }), 'describeCollection');
  assert.deepStrictEqual(d.schema.fields.map((f) => f.name), ['id', 'vec', 'tag']);
  assert.deepStrictEqual(d.schema.fields.map((f) => f.fieldID), ['100', '101', '102']);
  assert.strictEqual((await client.hasCollection({ collection_name: COLL })).value, true);
  assert.strictEqual((await client.hasCollection({ collection_name: 'nope' })).value, false);
});

test('insert rows and check the row count', async () => {
  rows = makeRows();
  const res = assertOk(await client.insert({ collection_name: COLL, data: rows }), 'insert');
  assert.strictEqual(Number(res.insert_cnt), ROWS);
  const stats = await client.getCollectionStatistics({ collection_name: COLL });
  assert.strictEqual(Number(stats.data.row_count), ROWS);
});

test('createIndex and wait until Finished', async () => {
  assertOk(await client.createIndex({ collection_name: COLL, field_name: 'vec', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } }), 'createIndex');
  const d = await h.pollUntil(() => client.describeIndex({ collection_name: COLL }),
    (r) => r.index_descriptions && r.index_descriptions[0] && r.index_descriptions[0].state === 'Finished', 5000);
  const idx = d.index_descriptions[0];
  assert.strictEqual(idx.state, 'Finished');
  assert.strictEqual(idx.field_name, 'vec');
  assert.strictEqual(Number(idx.total_rows), ROWS);
});

test('loadCollection waits until loaded', async () => {
  assertOk(await client.loadCollection({ collection_name: COLL }), 'loadCollection');
  const st = await client.getLoadState({ collection_name: COLL });
  assert.strictEqual(st.state, 'LoadStateLoaded');
});

test('search hits equal a brute-force computation', async () => {
  const queries = [rows[3].vec, rows[150].vec.map((x) => x + 0.01), Array.from({ length: DIM }, (_, j) => (j % 2 ? 0.2 : -0.2))];
  for (const q of queries) {
    const res = assertOk(await client.search({ collection_name: COLL, data: q, limit: TOPK, anns_field: 'vec', metric_type: 'L2' }), 'search');
    const want = bruteForce(q, TOPK);
    assert.deepStrictEqual(res.results.map((r) => Number(r.id)), want.map((w) => w.id));
    res.results.forEach((r, i) => assert.ok(Math.abs(r.score - want[i].d) < 1e-4, `score ${r.score} vs ${want[i].d}`));
  }
});

test('filtered search and query return exactly the inserted rows', async () => {
  const q = rows[10].vec;
  // the key column comes back only when asked for (as the proxy does): the
  // SDK's rows take their id from it
  const res = assertOk(await client.search({ collection_name: COLL, data: q, limit: TOPK, filter: 'tag == "t3"', output_fields: ['id', 'tag'] }), 'search');
  const want = bruteForce(q, TOPK, (r) => r.tag === 't3');
  assert.deepStrictEqual(res.results.map((r) => Number(r.id)), want.map((w) => w.id));
  assert.ok(res.results.every((r) => r.tag === 't3'));
  const qr = assertOk(await client.query({ collection_name: COLL, filter: 'id in [1000, 1005, 1199]', output_fields: ['id', 'vec', 'tag'] }), 'query');
  const got = qr.data.map((r) => ({ id: Number(r.id), tag: r.tag, vec: r.vec.map(Math.fround) })).sort((a, b) => a.id - b.id);
  const expected = [rows[0], rows[5], rows[199]].map((r) => ({ id: r.id, tag: r.tag, vec: r.vec }));
  assert.deepStrictEqual(got, expected);
});

test('snapshot create / list / describe', async () => {
  assertOk(await client.createSnapshot({ collection_name: COLL, snapshot_name: 'snap1', description: 'sdk' }), 'createSnapshot');
  const list = assertOk(await client.listSnapshots({ collection_name: COLL }), 'listSnapshots');
  assert.deepStrictEqual(list.snapshots, ['snap1']);
  const d = assertOk(await client.describeSnapshot({ collection_name: COLL, snapshot_name: 'snap1' }), 'describeSnapshot');
  assert.strictEqual(d.name, 'snap1');
  assert.strictEqual(d.description, 'sdk');
  assert.strictEqual(d.collection_name, COLL);
});

test('restoreSnapshot, poll until Completed, restored rows match', async () => {
  // Rows inserted after the snapshot must not be restored.
  assertOk(await client.insert({ collection_name: COLL, data: [{ id: 5000, vec: Array(DIM).fill(0), tag: 'late' }] }), 'insert');
  const r = assertOk(await client.restoreSnapshot({ snapshot_name: 'snap1', source_collection_name: COLL, target_collection_name: RESTORED }), 'restoreSnapshot');
  assert.match(String(r.job_id), /^[1-9]\d*$/);
  const states = new Set();
  const done = await h.pollUntil(() => client.getRestoreSnapshotState({ job_id: r.job_id }), (s) => {
    states.add(s.info.state);
    return s.info.state === 'RestoreSnapshotCompleted' || s.info.state === 'RestoreSnapshotFailed';
  }, 10000, 50);
  assert.strictEqual(done.info.state, 'RestoreSnapshotCompleted');
  assert.strictEqual(done.info.progress, 100);
  assert.ok(states.has('RestoreSnapshotExecuting') || states.has('RestoreSnapshotPending'));
  const stats = await client.getCollectionStatistics({ collection_name: RESTORED });
  assert.strictEqual(Number(stats.data.row_count), ROWS);
  const jobs = await client.listRestoreSnapshotJobs({ collection_name: RESTORED });
  assert.ok(jobs.jobs.some((j) => String(j.job_id) === String(r.job_id)));
});

test('restored collection answers queries with the snapshot rows', async () => {
  assertOk(await client.loadCollection({ collection_name: RESTORED }), 'loadCollection');
  const qr = assertOk(await client.query({ collection_name: RESTORED, filter: 'id >= 1190', output_fields: ['id', 'tag'] }), 'query');
  assert.deepStrictEqual(qr.data.map((x) => Number(x.id)).sort((a, b) => a - b), rows.slice(190).map((x) => x.id));
  const late = assertOk(await client.query({ collection_name: RESTORED, filter: 'id == 5000', output_fields: ['id'] }), 'query');
  assert.strictEqual(late.data.length, 0);
});

test('dropSnapshot, then drop the collections', async () => {
  assertOk(await client.dropSnapshot({ collection_name: COLL, snapshot_name: 'snap1' }), 'dropSnapshot');
  assert.deepStrictEqual((await client.listSnapshots({ collection_name: COLL })).snapshots, []);
  assertOk(await client.dropCollection({ collection_name: RESTORED }), 'dropCollection');
  assertOk(await client.dropCollection({ collection_name: COLL }), 'dropCollection');
  assert.strictEqual((await client.hasCollection({ collection_name: COLL })).value, false);
});

test('server stops cleanly', async () => {
  await client.closeConnection();
  ctl.close();
  assert.strictEqual(await srv.stop(), 0);
});
