// SPDX-License-Identifier: Apache-2.0
'use strict';
// The snapshot area of the Milvus-protocol test server against what the
// Milvus 3.0 proxy and datacoord answer: the order of the checks, codes
// and reasons, restore and export job states and progress, the restore
// job list, pins.  Requests and responses go through the upstream wire
// encoding (see areas-test/harness.js).

const h = require('./areas-test/harness');

if (h.peersAvailable()) main();

function main() {
  const test = require('node:test');
  const assert = require('node:assert/strict');
  const { col, field } = h;

  const RESTORE_MS = 400;
  const EXPORT_MS = 500;
  const srv = h.makeServer({ restoreDurationMs: RESTORE_MS, exportDurationMs: EXPORT_MS });
  srv.env.control = { faults: { fail_restore: '', fail_export: '' } };
  const call = srv.call;

  const ok = (r) => {
    const st = r.status || r;
    assert.equal(st.code, 0, st.reason);
    return r;
  };
  const err = (r, code, reason) => {
    const st = r.status || r;
    assert.equal(st.code, code, `code ${st.code}: ${st.reason}`);
    if (reason instanceof RegExp) assert.match(st.reason, reason);
    else if (reason !== undefined) assert.equal(st.reason, reason);
    return st;
  };
  const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
  async function poll(fn, until, timeoutMs) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (until(v) || Date.now() > end) return v;
      await sleep(15);
    }
  }
  async function collection(name, rows) {
    await h.makeCollection(srv, name, [field('id', 'Int64', { pk: true }), field('v', 'FloatVector', { dim: 4 })], { load: false });
    if (!rows) return;
    const ids = Array.from({ length: rows }, (_, i) => i);
    ok(await call('Insert', {
      collection_name: name, num_rows: rows, fields_data: [col.int64('id', ids), col.floatVec('v', 4, ids.map((i) => [i, 0, 0, 1]))],
    }));
  }
  const collId = (name) => srv.state.getDatabase('default').collections.get(name).id;
  const restoreState = async (id) => ok(await call('GetRestoreSnapshotState', { job_id: id })).info;
  const exportState = async (id) => ok(await call('GetExportSnapshotState', { job_id: id })).info;

  test('names: the proxy validateName rules and words', async () => {
    await collection('nm', 2);
    err(await call('CreateSnapshot', { collection_name: 'nm', name: '' }), 1100,
      'snapshot name should be not empty: invalid parameter[expected=not empty][actual=]');
    err(await call('CreateSnapshot', { collection_name: 'nm', name: '1abc' }), 1100,
      'the first character of snapshot name must be an underscore or letter: invalid parameter[expected=95][actual=49]');
    err(await call('CreateSnapshot', { collection_name: 'nm', name: 'a-b' }), 1100,
      'snapshot name can only contain numbers, letters, underscores, and allowed characters ($), found - at 1: invalid parameter');
    err(await call('CreateSnapshot', { collection_name: 'nm', name: 'a'.repeat(256) }), 1100,
      'the length of snapshot name must be not greater than limit: invalid parameter[256 out of range 0 <= value <= 255]');
    ok(await call('CreateSnapshot', { collection_name: 'nm', name: 'a$b' }));
    // the name is checked before the collection is looked up
    err(await call('CreateSnapshot', { collection_name: 'no_such', name: '' }), 1100, /snapshot name should be not empty/);
    err(await call('DropSnapshot', { collection_name: 'no_such', name: '-' }), 1100, /first character of snapshot name/);
    const st = err(await call('RestoreSnapshot', { collection_name: 'no_such', name: 'a$b', target_collection_name: '9t' }), 1100,
      /^the first character of collection name must be an underscore or letter/);
    assert.equal(st.error_code, 'IllegalArgument');
  });

  test('create: protection range before the collection, duplicates after it', async () => {
    await collection('cr', 3);
    err(await call('CreateSnapshot', { collection_name: 'no_such', name: 's', compaction_protection_seconds: -1 }), 1100,
      'compaction_protection_seconds must be non-negative: invalid parameter');
    err(await call('CreateSnapshot', { collection_name: 'no_such', name: 's', compaction_protection_seconds: 604801 }), 1100,
      'compaction_protection_seconds must not exceed 604800: invalid parameter');
    err(await call('CreateSnapshot', { collection_name: 'no_such', name: 's' }), 100,
      'collection not found[database=default][collection=no_such]');
    ok(await call('CreateSnapshot', { collection_name: 'cr', name: 's1', compaction_protection_seconds: 604800 }));
    err(await call('CreateSnapshot', { collection_name: 'cr', name: 's1' }), 1100, 'snapshot name s1 already exists: invalid parameter');
  });

  test('a missing collection_name is a missing parameter (1101)', async () => {
    const cases = [
      ['DropSnapshot', { name: 's' }, 'collection_name is required for drop snapshot: missing parameter'],
      ['DescribeSnapshot', { name: 's' }, 'collection_name is required for describe snapshot: missing parameter'],
      ['ListSnapshots', {}, 'collection_name is required for ListSnapshots: missing parameter'],
      ['PinSnapshotData', { name: 's' }, 'collection_name is required for pin snapshot data: missing parameter'],
      ['RestoreSnapshot', { name: 's', target_collection_name: 't' }, 'collection_name is required for restore snapshot: missing parameter'],
      ['RestoreSnapshot', { name: 's', collection_name: 'cr' }, 'target_collection_name is required for restore snapshot: missing parameter'],
      ['UnpinSnapshotData', { pin_id: '0' }, 'pin_id is required for unpin snapshot data: missing parameter'],
    ];
    for (const [method, req, reason] of cases) {
      const st = err(await call(method, req), 1101, reason);
      assert.equal(st.error_code, 'IllegalArgument', method);
    }
    // ExportSnapshot checks its arguments itself, as invalid parameters
    err(await call('ExportSnapshot', { name: 's', target_s3_path: 's3://b/p' }), 1100,
      'collection_name is required for export snapshot: invalid parameter');
    err(await call('ExportSnapshot', { name: 's', collection_name: 'no_such' }), 1100,
      'target_s3_path is required for export snapshot: invalid parameter');
    err(await call('ExportSnapshot', { name: 's', collection_name: 'cr', target_s3_path: '  ' }), 1101,
      'target_s3_path is required: missing parameter');
    // the database is resolved before ListSnapshots looks at the collection
    err(await call('ListSnapshots', { db_name: 'no_db' }), 800, 'database not found[database=no_db]');
  });

  test('missing snapshots: describe, pin, export and restore', async () => {
    const id = collId('cr');
    err(await call('DescribeSnapshot', { collection_name: 'cr', name: 'zz' }), 3100,
      `collection ${id}: snapshot not found[snapshot=zz]`);
    err(await call('PinSnapshotData', { collection_name: 'cr', name: 'zz' }), 3100,
      `collection ${id}: snapshot not found[snapshot=zz]`);
    err(await call('ExportSnapshot', { collection_name: 'cr', name: 'zz', target_s3_path: 's3://b/p' }), 3100,
      `collection ${id}: snapshot not found[snapshot=zz]`);
    err(await call('RestoreSnapshot', { collection_name: 'cr', name: 'zz', target_collection_name: 'cr_t' }), 3100,
      `failed to pin source snapshot under restore lock: collection ${id}: snapshot not found[snapshot=zz]`);
    ok(await call('DropSnapshot', { collection_name: 'cr', name: 'zz' }));
  });

  test('describe: the metadata path datacoord writes', async () => {
    const d = ok(await call('DescribeSnapshot', { collection_name: 'cr', name: 's1' }));
    assert.match(d.s3_location, new RegExp(`^files/snapshots/${collId('cr')}/metadata/[0-9]+\\.json$`));
    assert.deepEqual(d.partition_names, ['_default']);
  });

  test('restore: target checks after the snapshot', async () => {
    err(await call('RestoreSnapshot', { collection_name: 'cr', name: 's1', target_collection_name: 'cr' }), 1100,
      'target collection cr already exists in database default: invalid parameter');
    err(await call('RestoreSnapshot', {
      collection_name: 'cr', name: 's1', target_collection_name: 'cr_x', target_db_name: 'no_db',
    }), 800, 'failed to describe target database no_db: database not found[database=no_db]');
    // a refused restore leaves no pin behind
    ok(await call('DropSnapshot', { collection_name: 'cr', name: 's1' }));
    ok(await call('CreateSnapshot', { collection_name: 'cr', name: 's1' }));
  });

  test('restore job: copied-segment progress, time cost once completed, listed by target', async () => {
    const r = ok(await call('RestoreSnapshot', { collection_name: 'cr', name: 's1', target_collection_name: 'cr_r' }));
    const seen = [];
    const done = await poll(() => restoreState(r.job_id), (i) => {
      seen.push(i);
      return i.state === 'RestoreSnapshotCompleted';
    }, RESTORE_MS * 4);
    assert.equal(done.state, 'RestoreSnapshotCompleted');
    for (const i of seen.slice(0, -1)) {
      assert.match(i.state, /RestoreSnapshot(Pending|Executing)/);
      assert.equal(i.progress, 0, 'one segment: 0 % until it is copied');
      assert.equal(i.time_cost, '0');
      assert.equal(i.reason, '');
    }
    assert.ok(seen.some((i) => i.state === 'RestoreSnapshotExecuting'));
    assert.equal(done.progress, 100);
    assert.equal(done.reason, '');
    assert.ok(Number(done.time_cost) >= RESTORE_MS - 20, done.time_cost);
    assert.equal(done.collection_name, 'cr_r');
    assert.equal(done.db_name, 'default');

    const bySource = ok(await call('ListRestoreSnapshotJobs', { collection_name: 'cr' })).jobs;
    assert.ok(!bySource.some((j) => j.job_id === r.job_id), 'jobs are listed by their target');
    const byTarget = ok(await call('ListRestoreSnapshotJobs', { collection_name: 'cr_r' })).jobs;
    assert.deepEqual(byTarget.map((j) => j.job_id), [r.job_id]);
    const inDb = ok(await call('ListRestoreSnapshotJobs', {})).jobs;
    assert.ok(inDb.some((j) => j.job_id === r.job_id));
    err(await call('ListRestoreSnapshotJobs', { collection_name: 'no_such' }), 100);

    ok(await call('DropCollection', { collection_name: 'cr_r' }));
    const gone = await restoreState(r.job_id);
    assert.equal(gone.collection_name, '');
    assert.equal(gone.db_name, '');
    assert.ok(!ok(await call('ListRestoreSnapshotJobs', {})).jobs.some((j) => j.job_id === r.job_id));
  });

  test('restore of an empty snapshot: completed without segments', async () => {
    await collection('em', 0);
    ok(await call('CreateSnapshot', { collection_name: 'em', name: 'e' }));
    const r = ok(await call('RestoreSnapshot', { collection_name: 'em', name: 'e', target_collection_name: 'em_r' }));
    const states = new Set();
    const done = await poll(() => restoreState(r.job_id), (i) => {
      states.add(i.state);
      assert.equal(i.progress, 100);
      return i.state === 'RestoreSnapshotCompleted';
    }, RESTORE_MS * 4);
    assert.equal(done.state, 'RestoreSnapshotCompleted');
    assert.ok(!states.has('RestoreSnapshotExecuting'));
    assert.equal(done.reason, 'no segments to copy');
    assert.equal(done.time_cost, '0');
  });

  test('unknown job ids', async () => {
    const st = err(await call('GetRestoreSnapshotState', { job_id: '42' }), 2101,
      'restore job not found: jobID=42: importing data failed on server side');
    assert.equal(st.error_code, 'UnexpectedError');
    assert.equal(st.retriable, false);
    err(await call('GetExportSnapshotState', { job_id: '42' }), 1100, 'snapshot export job 42 not found: invalid parameter');
  });

  test('export: checkpoints 0, 5, 95, 99, 100 %; a fresh bundle root each time', async () => {
    const e = ok(await call('ExportSnapshot', { collection_name: 'cr', name: 's1', target_s3_path: 's3://bucket/out/' }));
    const seen = [];
    const done = await poll(() => exportState(e.job_id), (i) => {
      seen.push(i);
      return i.state === 'ExportSnapshotCompleted';
    }, EXPORT_MS * 4);
    assert.equal(done.state, 'ExportSnapshotCompleted');
    let last = -1;
    for (const i of seen) {
      assert.ok([0, 5, 95, 99, 100].includes(i.progress), `progress ${i.progress}`);
      assert.ok(i.progress >= last);
      last = i.progress;
      if (i.progress === 0) assert.equal(i.total_files, '0');
      if (i.progress >= 95) assert.equal(i.copied_files, i.total_files);
      if (i.state !== 'ExportSnapshotCompleted') {
        assert.equal(i.snapshot_metadata_uri, '');
        assert.equal(i.total_bytes, '0');
      }
    }
    assert.ok(seen.some((i) => i.progress === 99), `progress: ${seen.map((i) => i.progress)}`);
    const id = collId('cr');
    const re = new RegExp(`^s3://bucket/out/exports/[0-9a-f-]{36}/snapshots/${id}/metadata/[0-9]+\\.json$`);
    assert.match(done.snapshot_metadata_uri, re);
    assert.ok(Number(done.total_bytes) > 0);
    const e2 = ok(await call('ExportSnapshot', { collection_name: 'cr', name: 's1', target_s3_path: 's3://bucket/out' }));
    const done2 = await poll(() => exportState(e2.job_id), (i) => i.state === 'ExportSnapshotCompleted', EXPORT_MS * 4);
    assert.match(done2.snapshot_metadata_uri, re);
    assert.notEqual(done2.snapshot_metadata_uri, done.snapshot_metadata_uri);

    // external restore: the target is checked before the metadata is read
    err(await call('RestoreExternalSnapshot', { target_collection_name: 'x' }), 1100,
      'snapshot_metadata_uri is required for restore external snapshot: invalid parameter');
    err(await call('RestoreExternalSnapshot', { target_collection_name: 'cr', snapshot_metadata_uri: 's3://nowhere/m.json' }), 1100,
      'target collection cr already exists in database default: invalid parameter');
    const r = ok(await call('RestoreExternalSnapshot', { target_collection_name: 'cr_ext', snapshot_metadata_uri: done.snapshot_metadata_uri }));
    const info = await poll(() => restoreState(r.job_id), (i) => i.state === 'RestoreSnapshotCompleted', RESTORE_MS * 4);
    assert.equal(info.state, 'RestoreSnapshotCompleted');
    assert.equal(info.snapshot_name, 's1');
    assert.equal(info.collection_name, 'cr_ext');
  });

  test('pins: ttl range, drop refused with the active pin count, unpin', async () => {
    err(await call('PinSnapshotData', { collection_name: 'cr', name: 's1', ttl_seconds: -1 }), 1100,
      'ttl_seconds must be non-negative: invalid parameter');
    err(await call('PinSnapshotData', { collection_name: 'cr', name: 's1', ttl_seconds: 2592001 }), 1100,
      'ttl_seconds exceeds maximum of 2592000 (30 days): invalid parameter');
    const p1 = ok(await call('PinSnapshotData', { collection_name: 'cr', name: 's1', ttl_seconds: 2592000 }));
    const p2 = ok(await call('PinSnapshotData', { collection_name: 'cr', name: 's1' }));
    err(await call('DropSnapshot', { collection_name: 'cr', name: 's1' }), 3101,
      '2 active pins, unpin before dropping: snapshot is pinned[snapshot=s1]');
    ok(await call('UnpinSnapshotData', { pin_id: p1.pin_id }));
    ok(await call('UnpinSnapshotData', { pin_id: p1.pin_id })); // unknown pins: no-op
    ok(await call('UnpinSnapshotData', { pin_id: p2.pin_id }));
    ok(await call('DropSnapshot', { collection_name: 'cr', name: 's1' }));
  });
}
