// SPDX-License-Identifier: Apache-2.0
'use strict';
// The test server through raw @grpc/grpc-js calls (no SDK): CLI, auth,
// control service and fault injection, the [A] areas, snapshot errors and
// job progressions.  Prints TAP (node:test).

const fs = require('fs');
const os = require('os');
const path = require('path');

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
const grpc = require('@grpc/grpc-js');
const h = require('./lib/harness');

const USER = 'root';
const PASS = 'Milvus';
const TOKEN = 'secret-token';
const AUTH = { authorization: Buffer.from(`${USER}:${PASS}`).toString('base64') };
const DIM = 4;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'milvus-smoke-'));
const portFile = path.join(tmp, 'port');
let srv;
let m;   // Milvus client
let ctl; // control client

const call = (method, req = {}, meta = {}) => m.call(method, req, { ...AUTH, ...meta });

function okStatus(resp) {
  const s = resp.status || resp;
  assert.strictEqual(s.code, 0, `expected success, got ${s.code} ${s.reason}`);
  assert.strictEqual(s.error_code, 'Success');
  return resp;
}

function errStatus(resp, code, pattern) {
  const s = resp.status || resp;
  assert.strictEqual(s.code, code, `expected code ${code}, got ${s.code} ${s.reason}`);
  if (pattern) assert.match(s.reason, pattern);
  return s;
}

async function rejects(promise, grpcCode, pattern) {
  await assert.rejects(promise, (e) => {
    assert.strictEqual(e.code, grpcCode, `expected gRPC ${grpcCode}, got ${e.code} ${e.details}`);
    if (pattern) assert.match(e.details, pattern);
    return true;
  });
}

function schemaBytes(name, extra = {}) {
  return h.encodeSchema({
    name,
    fields: [
      { name: 'id', data_type: 'Int64', is_primary_key: true },
      { name: 'vec', data_type: 'FloatVector', type_params: [{ key: 'dim', value: String(DIM) }] },
    ],
    ...extra,
  });
}

async function createCollection(name) {
  okStatus(await call('CreateCollection', { collection_name: name, schema: schemaBytes(name) }));
}

function insertRequest(name, ids) {
  const floats = ids.flatMap((id) => [id, id + 0.5, -id, 1]);
  return {
    collection_name: name,
    num_rows: ids.length,
    fields_data: [
      { type: 'Int64', field_name: 'id', scalars: { long_data: { data: ids.map(String) } } },
      { type: 'FloatVector', field_name: 'vec', vectors: { dim: String(DIM), float_vector: { data: floats } } },
    ],
  };
}

async function rowCount(name) {
  const r = okStatus(await call('GetCollectionStatistics', { collection_name: name }));
  return Number(r.stats.find((kv) => kv.key === 'row_count').value);
}

test('server starts on port 0, prints LISTENING and writes --port-file', async () => {
  srv = await h.startServer(['--port-file', portFile, '--auth', `${USER}:${PASS},other:pw`, '--token', TOKEN,
    '--index-ms', '300', '--load-ms', '300', '--restore-ms', '600', '--export-ms', '600']);
  assert.ok(srv.port > 0);
  assert.strictEqual(fs.readFileSync(portFile, 'utf8').trim(), String(srv.port));
  m = h.milvusClient(srv.port);
  ctl = h.controlClient(srv.port);
});

test('auth: missing or wrong credentials are UNAUTHENTICATED; user:password and token pass', async () => {
  await rejects(m.call('GetVersion', {}), grpc.status.UNAUTHENTICATED);
  const wrong = Buffer.from(`${USER}:nope`).toString('base64');
  await rejects(m.call('GetVersion', {}, { authorization: wrong }), grpc.status.UNAUTHENTICATED, /auth check failure/);
  okStatus(await call('GetVersion'));
  okStatus(await m.call('GetVersion', {}, { authorization: Buffer.from(TOKEN).toString('base64') }));
  okStatus(await m.call('GetVersion', {}, { authorization: Buffer.from('other:pw').toString('base64') }));
  // Strict like the proxy's base64.StdEncoding: unpadded is refused.
  const padded = Buffer.from(`${USER}:${PASS}`).toString('base64');
  if (padded.endsWith('=')) {
    await rejects(m.call('GetVersion', {}, { authorization: padded.replace(/=+$/, '') }),
      grpc.status.UNAUTHENTICATED, /auth check failure/);
  }
  await rejects(m.call('GetVersion', {}, { authorization: `${padded}!` }), grpc.status.UNAUTHENTICATED);
});

test('Connect returns an identifier and server info; GetVersion and CheckHealth', async () => {
  const r = okStatus(await call('Connect', { client_info: { sdk_type: 'smoke', sdk_version: '1' } }));
  assert.match(r.identifier, /^[1-9]\d*$/);
  assert.match(r.server_info.build_tags, /^v2\.6\./);
  const v = okStatus(await call('GetVersion'));
  assert.match(v.version, /^v2\.6\.\d+$/);
  assert.strictEqual(okStatus(await call('CheckHealth')).isHealthy, true);
  errStatus(await call('Connect', {}, { dbname: 'no_such_db' }), 800, /database not found\[database=no_such_db\]/);
});

test('control Get reports calls and the last metadata per method', async () => {
  await ctl.set({ reset: true });
  await call('GetVersion', {}, { identifier: '12345', dbname: 'default' });
  const got = await ctl.get();
  assert.strictEqual(got.calls.GetVersion, 1);
  assert.strictEqual(got.metadata.GetVersion.identifier, '12345');
  assert.strictEqual(got.metadata.GetVersion.dbname, 'default');
  assert.match(got.metadata.GetVersion['user-agent'], /grpc-node-js/);
  await rejects(ctl.set({ no_such_key: 1 }), grpc.status.INVALID_ARGUMENT, /unknown control key/);
});

test('unknown method is UNIMPLEMENTED', async () => {
  await rejects(call('CreateRowPolicy', {}), grpc.status.UNIMPLEMENTED);
});

test('databases: create, list, describe, alter, drop, errors', async () => {
  okStatus(await call('CreateDatabase', { db_name: 'db1', properties: [{ key: 'k', value: 'v' }] }));
  errStatus(await call('CreateDatabase', { db_name: 'db1' }), 65535, /database already exist/);
  errStatus(await call('CreateDatabase', { db_name: '1bad' }), 802);
  const list = okStatus(await call('ListDatabases'));
  assert.deepStrictEqual(list.db_names, ['default', 'db1']);
  okStatus(await call('AlterDatabase', { db_name: 'db1', properties: [{ key: 'x', value: '1' }] }));
  const d = okStatus(await call('DescribeDatabase', { db_name: 'db1' }));
  assert.deepStrictEqual(d.properties.map((p) => `${p.key}=${p.value}`).sort(), ['k=v', 'x=1']);
  okStatus(await call('CreateCollection', { collection_name: 'c', schema: schemaBytes('c') }, { dbname: 'db1' }));
  errStatus(await call('DropDatabase', { db_name: 'db1' }), 1100);
  okStatus(await call('DropCollection', { collection_name: 'c' }, { dbname: 'db1' }));
  okStatus(await call('DropDatabase', { db_name: 'db1' }));
  errStatus(await call('DescribeDatabase', { db_name: 'db1' }), 800);
  errStatus(await call('DropDatabase', { db_name: 'default' }), 1100);
});

test('CreateCollection validates the schema like the proxy', async () => {
  const fields = (list) => h.encodeSchema({ name: 'bad', fields: list });
  const vec = { name: 'v', data_type: 'FloatVector', type_params: [{ key: 'dim', value: '4' }] };
  const cases = [
    [fields([vec]), /primary key is not specified/],
    [fields([{ name: 'a', data_type: 'Int64', is_primary_key: true }, { name: 'b', data_type: 'Int64', is_primary_key: true }, vec]), /more than one primary key/],
    [fields([{ name: 'a', data_type: 'Float', is_primary_key: true }, vec]), /Int64 or VarChar/],
    [fields([{ name: 'a', data_type: 'Int64', is_primary_key: true }, { name: 'v', data_type: 'FloatVector' }]), /dimension is not defined/],
    [fields([{ name: 'a', data_type: 'Int64', is_primary_key: true }]), /does not contain vector field/],
    [fields([{ name: 'a', data_type: 'VarChar', is_primary_key: true }, vec]), /max_length/],
    // merr.ErrFieldNameInvalid, as embedded Milvus 2.3.5 answers too
    [fields([{ name: 'a b', data_type: 'Int64', is_primary_key: true }, vec]), /Invalid field name: a b\. .*: field name invalid\[field=a b\]/, 1701],
  ];
  for (const [schema, pattern, code] of cases) {
    errStatus(await call('CreateCollection', { collection_name: 'bad', schema }), code || 1100, pattern);
  }
  errStatus(await call('CreateCollection', { collection_name: '9x', schema: schemaBytes('9x') }), 1100, /Invalid collection name/);
  errStatus(await call('CreateCollection', { collection_name: 'bad', schema: Buffer.from([0xff, 0xff]) }), 1100);
  const show = okStatus(await call('ShowCollections'));
  assert.ok(!show.collection_names.includes('bad'));
});

test('collections: describe, has, show, alter, rename, truncate, add field, drop', async () => {
  await createCollection('c1');
  okStatus(await call('CreateCollection', { collection_name: 'c1', schema: schemaBytes('c1') })); // idempotent
  const other = h.encodeSchema({ name: 'c1', fields: [{ name: 'pk', data_type: 'Int64', is_primary_key: true }, { name: 'vec', data_type: 'FloatVector', type_params: [{ key: 'dim', value: '8' }] }] });
  errStatus(await call('CreateCollection', { collection_name: 'c1', schema: other }), 1100, /duplicate collection/);
  const d = okStatus(await call('DescribeCollection', { collection_name: 'c1' }));
  assert.deepStrictEqual(d.schema.fields.map((f) => [f.name, f.fieldID, f.data_type]), [['id', '100', 'Int64'], ['vec', '101', 'FloatVector']]);
  assert.strictEqual(d.collection_name, 'c1');
  assert.match(d.collectionID, /^[1-9]\d+$/);
  assert.ok(BigInt(d.created_timestamp) > 0n);
  // the proxy's PyMilvus compatibility: code 100 and the detail stay, the
  // reason and error_code change, the request's names come back
  const missing = await call('DescribeCollection', { collection_name: 'nope' });
  const ms = errStatus(missing, 100, /^can't find collection\[database=default\]\[collection=nope\]$/);
  assert.strictEqual(ms.error_code, 'UnexpectedError');
  assert.strictEqual(ms.detail, 'collection not found[database=default][collection=nope]');
  assert.deepStrictEqual([missing.collection_name, missing.db_name], ['nope', 'default']);
  assert.strictEqual(okStatus(await call('HasCollection', { collection_name: 'c1' })).value, true);
  assert.strictEqual(okStatus(await call('HasCollection', { collection_name: 'nope' })).value, false);
  okStatus(await call('AlterCollection', { collection_name: 'c1', properties: [{ key: 'collection.ttl.seconds', value: '60' }] }));
  const d2 = okStatus(await call('DescribeCollection', { collection_name: 'c1' }));
  assert.deepStrictEqual(d2.properties, [{ key: 'collection.ttl.seconds', value: '60' }]);
  okStatus(await call('AlterCollection', { collection_name: 'c1', delete_keys: ['collection.ttl.seconds'] }));
  okStatus(await call('RenameCollection', { oldName: 'c1', newName: 'c1r' }));
  errStatus(await call('DescribeCollection', { collection_name: 'c1' }), 100);
  okStatus(await call('Insert', insertRequest('c1r', [1, 2, 3])));
  assert.strictEqual(await rowCount('c1r'), 3);
  okStatus(await call('TruncateCollection', { collection_name: 'c1r' }));
  assert.strictEqual(await rowCount('c1r'), 0);
  const field = require('./lib/schema').encode('milvus.proto.schema.FieldSchema', { name: 'extra', data_type: 'Int32', nullable: true });
  okStatus(await call('AddCollectionField', { collection_name: 'c1r', schema: field }));
  const d3 = okStatus(await call('DescribeCollection', { collection_name: 'c1r' }));
  assert.deepStrictEqual(d3.schema.fields.map((f) => f.fieldID), ['100', '101', '102']);
  okStatus(await call('DropCollection', { collection_name: 'c1r' }));
  okStatus(await call('DropCollection', { collection_name: 'c1r' })); // idempotent
  assert.ok(!okStatus(await call('ShowCollections')).collection_names.includes('c1r'));
});

test('partitions: create, has, show, statistics, drop', async () => {
  await createCollection('pc');
  okStatus(await call('CreatePartition', { collection_name: 'pc', partition_name: 'p1' }));
  assert.strictEqual(okStatus(await call('HasPartition', { collection_name: 'pc', partition_name: 'p1' })).value, true);
  assert.deepStrictEqual(okStatus(await call('ShowPartitions', { collection_name: 'pc' })).partition_names, ['_default', 'p1']);
  okStatus(await call('Insert', { ...insertRequest('pc', [7, 8]), partition_name: 'p1' }));
  const st = okStatus(await call('GetPartitionStatistics', { collection_name: 'pc', partition_name: 'p1' }));
  assert.strictEqual(st.stats[0].value, '2');
  errStatus(await call('GetPartitionStatistics', { collection_name: 'pc', partition_name: 'zz' }), 200, /partition not found/);
  errStatus(await call('DropPartition', { collection_name: 'pc', partition_name: '_default' }), 1100);
  okStatus(await call('DropPartition', { collection_name: 'pc', partition_name: 'p1' }));
  assert.strictEqual(await rowCount('pc'), 0);
  okStatus(await call('DropCollection', { collection_name: 'pc' }));
});

test('index builds Unissued -> InProgress -> Finished; load needs an index and progresses to 100', async () => {
  await createCollection('ic');
  okStatus(await call('Insert', insertRequest('ic', [1, 2, 3, 4])));
  errStatus(await call('LoadCollection', { collection_name: 'ic' }), 700, /index not found/);
  errStatus(await call('DescribeIndex', { collection_name: 'ic' }), 700);
  okStatus(await call('CreateIndex', { collection_name: 'ic', field_name: 'vec', extra_params: [{ key: 'index_type', value: 'HNSW' }, { key: 'metric_type', value: 'L2' }, { key: 'params', value: '{"M":8,"efConstruction":64}' }] }));
  const seen = new Set();
  const final = await h.pollUntil(async () => okStatus(await call('DescribeIndex', { collection_name: 'ic' })).index_descriptions[0],
    (d) => { seen.add(d.state); return d.state === 'Finished'; }, 5000, 20);
  assert.strictEqual(final.state, 'Finished');
  assert.ok(seen.has('Unissued') || seen.has('InProgress'), `states seen: ${[...seen]}`);
  assert.strictEqual(final.indexed_rows, '4');
  assert.strictEqual(final.total_rows, '4');
  assert.strictEqual(final.pending_index_rows, '0');
  errStatus(await call('CreateIndex', { collection_name: 'ic', field_name: 'vec', extra_params: [{ key: 'index_type', value: 'FLAT' }, { key: 'metric_type', value: 'IP' }] }), 1100, /at most one distinct index/);
  // unknown index types and metrics, refused in the proxy's words
  errStatus(await call('CreateIndex', { collection_name: 'ic', field_name: 'vec', extra_params: [{ key: 'index_type', value: 'HNWS' }, { key: 'metric_type', value: 'L2' }] }), 1100, /^invalid parameter\[expected=valid index\]\[actual=invalid index type: HNWS\]$/);
  errStatus(await call('CreateIndex', { collection_name: 'ic', field_name: 'vec', extra_params: [{ key: 'index_type', value: 'HNSW' }, { key: 'metric_type', value: 'HAMMING' }] }), 1100, /^float vector index does not support metric type: HAMMING: invalid parameter\[expected=valid index params\]\[actual=invalid index params\]$/);
  errStatus(await call('CreateIndex', { collection_name: 'ic', field_name: 'nope', extra_params: [{ key: 'index_type', value: 'HNSW' }, { key: 'metric_type', value: 'L2' }] }), 65535, /^cannot create index on non-exist field: nope$/);
  errStatus(await call('GetLoadingProgress', { collection_name: 'ic' }), 101);
  okStatus(await call('LoadCollection', { collection_name: 'ic' }));
  const first = Number(okStatus(await call('GetLoadingProgress', { collection_name: 'ic' })).progress);
  assert.ok(first < 100, `progress right after load: ${first}`);
  assert.strictEqual(okStatus(await call('GetLoadState', { collection_name: 'ic' })).state, 'LoadStateLoading');
  const done = await h.pollUntil(async () => okStatus(await call('GetLoadingProgress', { collection_name: 'ic' })), (r) => r.progress === '100', 5000, 20);
  assert.strictEqual(done.progress, '100');
  assert.strictEqual(okStatus(await call('GetLoadState', { collection_name: 'ic' })).state, 'LoadStateLoaded');
  errStatus(await call('DropIndex', { collection_name: 'ic', field_name: 'vec' }), 1100, /release it first/);
  okStatus(await call('ReleaseCollection', { collection_name: 'ic' }));
  assert.strictEqual(okStatus(await call('GetLoadState', { collection_name: 'ic' })).state, 'LoadStateNotLoad');
  okStatus(await call('DropIndex', { collection_name: 'ic', field_name: 'vec' }));
  errStatus(await call('DescribeIndex', { collection_name: 'ic' }), 700);
  okStatus(await call('DropCollection', { collection_name: 'ic' }));
});

test('aliases resolve everywhere; create, alter, describe, list, drop', async () => {
  await createCollection('ac1');
  await createCollection('ac2');
  okStatus(await call('CreateAlias', { collection_name: 'ac1', alias: 'al' }));
  errStatus(await call('CreateAlias', { collection_name: 'ac2', alias: 'al' }), 1602);
  errStatus(await call('CreateAlias', { collection_name: 'ac2', alias: 'ac1' }), 1601, /^alias and collection name conflict\[database=default\]\[alias=ac1\]$/);
  errStatus(await call('CreateCollection', { collection_name: 'al', schema: schemaBytes('al') }), 1601,
    /^please choose a unique name: alias and collection name conflict\[database=default\]\[alias=al\]$/);
  const d = okStatus(await call('DescribeCollection', { collection_name: 'al' }));
  assert.strictEqual(d.collection_name, 'ac1');
  assert.deepStrictEqual(d.aliases, ['al']);
  okStatus(await call('Insert', insertRequest('al', [1])));
  assert.strictEqual(await rowCount('ac1'), 1);
  okStatus(await call('AlterAlias', { collection_name: 'ac2', alias: 'al' }));
  assert.strictEqual(okStatus(await call('DescribeAlias', { alias: 'al' })).collection, 'ac2');
  assert.deepStrictEqual(okStatus(await call('ListAliases', { collection_name: 'ac2' })).aliases, ['al']);
  errStatus(await call('DropCollection', { collection_name: 'al' }), 1100, /via alias/);
  okStatus(await call('DropAlias', { alias: 'al' }));
  errStatus(await call('DescribeAlias', { alias: 'al' }), 1600, /^alias not found\[database=default\]\[alias=al\]$/);
  errStatus(await call('DropAlias', { alias: 'al' }), 1600, /^alias not found\[database=default\]\[alias=al\]$/);
  okStatus(await call('DropCollection', { collection_name: 'ac1' }));
  okStatus(await call('DropCollection', { collection_name: 'ac2' }));
});

test('maintenance: flush then flushed, compaction completes, segment info', async () => {
  await createCollection('mc');
  okStatus(await call('Insert', insertRequest('mc', [1, 2])));
  const f = okStatus(await call('Flush', { collection_names: ['mc'] }));
  const segs = f.coll_segIDs.mc.data;
  assert.ok(segs.length >= 1);
  const ts = f.coll_flush_ts.mc;
  const first = okStatus(await call('GetFlushState', { segmentIDs: segs, flush_ts: ts, collection_name: 'mc' }));
  assert.strictEqual(first.flushed, false);
  const later = await h.pollUntil(async () => okStatus(await call('GetFlushState', { segmentIDs: segs, flush_ts: ts, collection_name: 'mc' })), (r) => r.flushed, 3000);
  assert.strictEqual(later.flushed, true);
  const info = okStatus(await call('GetPersistentSegmentInfo', { collectionName: 'mc' }));
  assert.strictEqual(info.infos.reduce((n, s) => n + Number(s.num_rows), 0), 2);
  const c = okStatus(await call('ManualCompaction', { collection_name: 'mc' }));
  const st = await h.pollUntil(async () => okStatus(await call('GetCompactionState', { compactionID: c.compactionID })), (r) => r.state === 'Completed', 3000);
  assert.strictEqual(st.state, 'Completed');
  errStatus(await call('Flush', { collection_names: ['nope'] }), 100);
  okStatus(await call('DropCollection', { collection_name: 'mc' }));
});

test('snapshots: create, describe, list, errors', async () => {
  await createCollection('sc');
  okStatus(await call('Insert', insertRequest('sc', [1, 2, 3])));
  okStatus(await call('CreateSnapshot', { collection_name: 'sc', name: 's1', description: 'first' }));
  errStatus(await call('CreateSnapshot', { collection_name: 'sc', name: 's1' }), 1100, /already exists/);
  errStatus(await call('CreateSnapshot', { collection_name: 'nope', name: 's1' }), 100);
  okStatus(await call('Insert', insertRequest('sc', [4])));
  okStatus(await call('CreateSnapshot', { collection_name: 'sc', name: 's2' }));
  const d = okStatus(await call('DescribeSnapshot', { collection_name: 'sc', name: 's1' }));
  assert.strictEqual(d.description, 'first');
  assert.strictEqual(d.collection_name, 'sc');
  assert.deepStrictEqual(d.partition_names, ['_default']);
  assert.match(d.s3_location, /^files\/snapshots\/\d+\/metadata\/\d+\.json$/);
  assert.ok(BigInt(d.create_ts) > 0n);
  assert.deepStrictEqual(okStatus(await call('ListSnapshots', { collection_name: 'sc' })).snapshots, ['s1', 's2']);
  errStatus(await call('DescribeSnapshot', { collection_name: 'sc', name: 'zz' }), 3100, /snapshot not found\[snapshot=zz\]/);
  errStatus(await call('RestoreSnapshot', { collection_name: 'sc', name: 'zz', target_collection_name: 'x' }), 3100);
  errStatus(await call('RestoreSnapshot', { collection_name: 'sc', name: 's1', target_collection_name: 'sc' }), 1100, /already exists/);
  okStatus(await call('DropSnapshot', { collection_name: 'sc', name: 'zz' })); // idempotent
});

test('restore job: Pending/Executing -> Completed, rows only when Completed', async () => {
  const r = okStatus(await call('RestoreSnapshot', { collection_name: 'sc', name: 's1', target_collection_name: 'sc_r' }));
  const info0 = okStatus(await call('GetRestoreSnapshotState', { job_id: r.job_id })).info;
  assert.match(info0.state, /RestoreSnapshot(Pending|Executing)/);
  assert.strictEqual(info0.collection_name, 'sc_r');
  assert.strictEqual(await rowCount('sc_r'), 0); // target exists, rows not yet
  const states = new Set();
  let last = -1;
  const done = await h.pollUntil(async () => okStatus(await call('GetRestoreSnapshotState', { job_id: r.job_id })).info, (i) => {
    states.add(i.state);
    assert.ok(i.progress >= last, 'progress never goes back');
    last = i.progress;
    return i.state === 'RestoreSnapshotCompleted';
  }, 5000, 30);
  assert.strictEqual(done.state, 'RestoreSnapshotCompleted');
  assert.ok(states.has('RestoreSnapshotExecuting'));
  assert.strictEqual(done.progress, 100);
  assert.ok(Number(done.time_cost) >= 500 && Number(done.time_cost) < 2000, `time_cost ${done.time_cost}`);
  assert.ok(Math.abs(Number(done.start_time) - Date.now()) < 10000);
  assert.strictEqual(await rowCount('sc_r'), 3); // s1 had 3 rows, the source has 4 now
  const jobs = okStatus(await call('ListRestoreSnapshotJobs', { collection_name: 'sc_r' })).jobs;
  assert.ok(jobs.some((j) => j.job_id === r.job_id));
  errStatus(await call('GetRestoreSnapshotState', { job_id: '42' }), 2101, /restore job not found: jobID=42/);
});

test('fail_restore makes the job Failed with the reason and drops the target', async () => {
  await ctl.set({ fail_restore: 'injected copy failure' });
  const r = okStatus(await call('RestoreSnapshot', { collection_name: 'sc', name: 's2', target_collection_name: 'sc_f' }));
  const done = await h.pollUntil(async () => okStatus(await call('GetRestoreSnapshotState', { job_id: r.job_id })).info, (i) => /Failed|Completed/.test(i.state), 5000);
  await ctl.set({ fail_restore: '' });
  assert.strictEqual(done.state, 'RestoreSnapshotFailed');
  assert.strictEqual(done.reason, 'injected copy failure');
  errStatus(await call('DescribeCollection', { collection_name: 'sc_f' }), 100);
});

test('export job reaches 99 % then Completed with a metadata uri; external restore', async () => {
  const e = okStatus(await call('ExportSnapshot', { collection_name: 'sc', name: 's2', target_s3_path: 's3://bucket/exports/' }));
  const seen = new Set();
  const done = await h.pollUntil(async () => okStatus(await call('GetExportSnapshotState', { job_id: e.job_id })).info, (i) => {
    seen.add(i.progress);
    if (i.state !== 'ExportSnapshotCompleted') assert.strictEqual(i.snapshot_metadata_uri, '');
    return i.state === 'ExportSnapshotCompleted';
  }, 5000, 20);
  assert.strictEqual(done.state, 'ExportSnapshotCompleted');
  assert.ok(seen.has(99), `progress values: ${[...seen]}`);
  assert.match(done.snapshot_metadata_uri, /^s3:\/\/bucket\/exports\/exports\/[0-9a-f-]{36}\/snapshots\/\d+\/metadata\/\d+\.json$/);
  assert.ok(Number(done.total_files) >= 3);
  assert.strictEqual(done.copied_files, done.total_files);
  assert.ok(Number(done.total_bytes) > 0);
  const r = okStatus(await call('RestoreExternalSnapshot', { target_collection_name: 'sc_ext', snapshot_metadata_uri: done.snapshot_metadata_uri }));
  const info = await h.pollUntil(async () => okStatus(await call('GetRestoreSnapshotState', { job_id: r.job_id })).info, (i) => i.state === 'RestoreSnapshotCompleted', 5000);
  assert.strictEqual(info.state, 'RestoreSnapshotCompleted');
  assert.strictEqual(await rowCount('sc_ext'), 4);
  errStatus(await call('RestoreExternalSnapshot', { target_collection_name: 'x', snapshot_metadata_uri: 's3://nowhere/m.json' }), 1100);
});

test('pins block DropSnapshot until unpinned or expired', async () => {
  const p = okStatus(await call('PinSnapshotData', { collection_name: 'sc', name: 's1', ttl_seconds: 0 }));
  assert.match(p.pin_id, /^[1-9]\d*$/);
  errStatus(await call('DropSnapshot', { collection_name: 'sc', name: 's1' }), 3101, /pinned/);
  okStatus(await call('UnpinSnapshotData', { pin_id: p.pin_id }));
  okStatus(await call('PinSnapshotData', { collection_name: 'sc', name: 's1', ttl_seconds: 1 }));
  errStatus(await call('DropSnapshot', { collection_name: 'sc', name: 's1' }), 3101);
  await h.sleep(1100);
  okStatus(await call('DropSnapshot', { collection_name: 'sc', name: 's1' }));
  assert.deepStrictEqual(okStatus(await call('ListSnapshots', { collection_name: 'sc' })).snapshots, ['s2']);
});

test('fault: rate_limit_every returns RateLimit (code 8) in a gRPC-OK response', async () => {
  await ctl.set({ reset: true, rate_limit_every: 2, methods: ['GetVersion', 'DropCollection'] });
  okStatus(await call('GetVersion'));
  const s = errStatus(await call('GetVersion'), 8, /rate limit exceeded/);
  assert.strictEqual(s.error_code, 'RateLimit');
  assert.strictEqual(s.retriable, true);
  okStatus(await call('GetVersion'));
  okStatus(await call('CheckHealth')); // not in methods: never limited
  const bare = await call('DropCollection', { collection_name: 'nothing' });
  assert.strictEqual(bare.code, 8); // bare common.Status RPC
  assert.strictEqual((await ctl.get()).injected.rate_limit, 2);
  await ctl.set({ reset: true });
});

test('fault: unavailable_next and unavailable_every fail with gRPC UNAVAILABLE', async () => {
  await ctl.set({ unavailable_next: 1 });
  await rejects(call('GetVersion'), grpc.status.UNAVAILABLE);
  okStatus(await call('GetVersion'));
  await ctl.set({ unavailable_every: 3 });
  const results = [];
  for (let i = 0; i < 6; i++) results.push(await call('GetVersion').then(() => 'ok', (e) => e.code));
  assert.deepStrictEqual(results, ['ok', 'ok', 14, 'ok', 'ok', 14]);
  await ctl.set({ reset: true });
});

test('fault: latency_ms delays calls', async () => {
  await ctl.set({ latency_ms: 200 });
  const t0 = Date.now();
  okStatus(await call('GetVersion'));
  assert.ok(Date.now() - t0 >= 190, `took ${Date.now() - t0} ms`);
  await ctl.set({ latency_ms: 0 });
});

test('fault: drop_connection_after kills the connection, the next call reconnects', async () => {
  await ctl.set({ drop_connection_after: 2 });
  okStatus(await call('GetVersion'));
  await assert.rejects(call('GetVersion'), (e) => [grpc.status.UNAVAILABLE, grpc.status.INTERNAL].includes(e.code));
  assert.strictEqual((await ctl.get()).injected.dropped, 1);
  okStatus(await call('GetVersion'));
});

test('max_recv_bytes: oversized requests get RESOURCE_EXHAUSTED like grpc-go', async () => {
  await ctl.set({ max_recv_bytes: 1000 });
  const big = { collection_name: 'x'.repeat(2000) };
  await rejects(call('DescribeCollection', big), grpc.status.RESOURCE_EXHAUSTED, /^grpc: received message larger than max \(\d+ vs\. 1000\)$/);
  okStatus(await call('GetVersion'));
  await ctl.set({ reset: true });
  errStatus(await call('DescribeCollection', big), 100);
});

test('SIGTERM stops the server with exit code 0', async () => {
  m.close();
  ctl.close();
  assert.strictEqual(await srv.stop(), 0);
  fs.rmSync(tmp, { recursive: true, force: true });
});
