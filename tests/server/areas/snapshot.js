// SPDX-License-Identifier: Apache-2.0
'use strict';
// Snapshots: point-in-time copies of a collection (schema, partitions,
// indexes, rows), restore and export jobs, external restore, data pins.
//
// Restore follows datacoord's order: the target collection (schema,
// partitions, indexes) is created when the job is created, its rows appear
// when the job completes; a failed job drops the target again.

const { E, merr } = require('../lib/errors');
const { validateName } = require('../lib/names');
const { cloneValue, cloneRows } = require('../lib/state');
const { createJob, tick } = require('../lib/jobs');
const { startIndexBuild } = require('../lib/progress');

// merr.ErrSnapshotPinned exists upstream; the code is this server's choice
// (see errors.js about snapshotNotFound).
const snapshotPinned = (name) => merr(3101, 'snapshot is pinned', { snapshot: name }, 'snapshot has active pins, unpin it before dropping');

const ROWS_PER_FILE = 1000;

function freeze(coll) {
  return {
    schema: cloneValue(coll.schema),
    description: coll.description,
    shardsNum: coll.shardsNum,
    consistencyLevel: coll.consistencyLevel,
    properties: { ...coll.properties },
    partitions: [...coll.partitions.keys()],
    indexes: [...coll.indexes.values()].map((i) => ({ indexName: i.indexName, fieldName: i.fieldName, params: { ...i.params } })),
    rows: cloneRows(coll.rows),
  };
}

function sourceCollection(ctx, req) {
  if (!req.collection_name) throw E.invalidParameter('collection name is required');
  return ctx.state.getCollection(ctx, req.collection_name);
}

function getSnapshot(coll, name) {
  const snap = coll.snapshots.get(name);
  if (!snap) throw E.snapshotNotFound(name, `collection ${coll.id}`);
  return snap;
}

function createSnapshot(req, ctx) {
  const coll = sourceCollection(ctx, req);
  validateName('Snapshot', req.name);
  if (coll.snapshots.has(req.name)) throw E.invalidParameter(`snapshot name ${req.name} already exists`);
  const protect = Number(req.compaction_protection_seconds || 0);
  if (protect < 0) throw E.invalidParameter('compaction_protection_seconds must not be negative');
  coll.snapshots.set(req.name, {
    name: req.name,
    description: req.description,
    dbName: coll.dbName,
    collectionName: coll.name,
    collectionId: coll.id,
    createTs: ctx.state.tso(),
    compactionProtectedUntil: protect > 0 ? Date.now() + protect * 1000 : 0,
    data: freeze(coll),
  });
  return ctx.ok();
}

function dropSnapshot(req, ctx) {
  const coll = sourceCollection(ctx, req);
  const snap = coll.snapshots.get(req.name);
  if (!snap) return ctx.ok(); // idempotent upstream
  if (ctx.state.activePins(snap) > 0) throw snapshotPinned(req.name);
  coll.snapshots.delete(req.name);
  return ctx.ok();
}

function listSnapshots(req, ctx) {
  const colls = req.collection_name ? [sourceCollection(ctx, req)] : [...ctx.db.collections.values()];
  const snaps = colls.flatMap((c) => [...c.snapshots.values()]);
  snaps.sort((a, b) => (BigInt(a.createTs) < BigInt(b.createTs) ? -1 : 1));
  return { status: ctx.ok(), snapshots: snaps.map((s) => s.name) };
}

function describeSnapshot(req, ctx) {
  const coll = sourceCollection(ctx, req);
  const snap = getSnapshot(coll, req.name);
  return {
    status: ctx.ok(),
    name: snap.name,
    description: snap.description,
    collection_name: coll.name,
    partition_names: snap.data.partitions,
    create_ts: snap.createTs,
    s3_location: `snapshots/${snap.dbName}/${snap.collectionName}/${snap.name}`,
  };
}

// Creates the restore target (schema with the snapshot's field ids,
// partitions, finished indexes) without rows.
function createTarget(ctx, db, name, data) {
  validateName('Collection', name);
  if (db.collections.has(name) || db.aliases.has(name)) {
    throw E.invalidParameter(`target collection ${name} already exists in database ${db.name}`);
  }
  const coll = ctx.state.addCollection(db, {
    name,
    schema: { ...cloneValue(data.schema), name },
    shardsNum: data.shardsNum,
    consistencyLevel: data.consistencyLevel,
    properties: data.properties,
    partitionNames: data.partitions,
  });
  coll.description = data.description;
  for (const spec of data.indexes) {
    const index = { ...spec, params: { ...spec.params }, indexID: ctx.state.newId() };
    startIndexBuild(coll, index, { indexBuildMs: 0 });
    coll.indexes.set(index.indexName, index);
  }
  return coll;
}

function startRestore(ctx, spec) {
  const { state, config, control } = ctx;
  const target = createTarget(ctx, spec.targetDb, spec.targetName, spec.data);
  const pinId = spec.snapshot ? state.newId() : null;
  if (pinId) state.pins.set(pinId, { snapshot: spec.snapshot, collectionId: spec.snapshot.collectionId, expiresAt: 0 });
  const unpin = () => { if (pinId) state.pins.delete(pinId); };
  const job = createJob(state, {
    kind: 'restore',
    durationMs: config.restoreDurationMs,
    failReason: control.faults.fail_restore || '',
    fields: {
      snapshotName: spec.snapshotName,
      dbName: spec.targetDb.name,
      collectionName: spec.targetName,
      sourceDb: spec.sourceDb,
      sourceCollection: spec.sourceCollection,
      targetId: target.id,
    },
    onComplete() {
      unpin();
      const live = state.collectionById(target.id);
      if (!live) throw new Error(`target collection ${spec.targetName} was dropped during restore`);
      live.rows = cloneRows(spec.data.rows);
    },
    onFail() {
      unpin();
      const live = state.collectionById(target.id);
      if (live) state.dropCollection(state.getDatabase(live.dbName), live);
    },
  });
  return job;
}

function restoreSnapshot(req, ctx) {
  const coll = sourceCollection(ctx, req);
  const snap = getSnapshot(coll, req.name);
  if (!req.target_collection_name) throw E.invalidParameter('target collection name is required');
  const targetDb = ctx.state.getDatabase(req.target_db_name || coll.dbName);
  const job = startRestore(ctx, {
    snapshot: snap,
    snapshotName: snap.name,
    data: snap.data,
    targetDb,
    targetName: req.target_collection_name,
    sourceDb: coll.dbName,
    sourceCollection: coll.name,
  });
  return { status: ctx.ok(), job_id: job.id };
}

function restoreInfo(job) {
  const now = tick(job);
  return {
    job_id: job.id,
    snapshot_name: job.snapshotName,
    db_name: job.dbName,
    collection_name: job.collectionName,
    state: `RestoreSnapshot${now.state}`,
    progress: now.progress,
    reason: now.state === 'Failed' ? job.failReason : '',
    start_time: String(job.startTime),
    time_cost: String(now.timeCost),
  };
}

function getJob(ctx, id, kind) {
  const job = ctx.state.jobs.get(String(id));
  if (!job || job.kind !== kind) throw E.invalidParameter(`${kind} job ${id} not found`);
  return job;
}

function listRestoreJobs(req, ctx) {
  let jobs = [...ctx.state.jobs.values()].filter((j) => j.kind === 'restore');
  if (req.collection_name) {
    const db = ctx.dbName;
    jobs = jobs.filter((j) => (j.dbName === db && j.collectionName === req.collection_name)
      || (j.sourceDb === db && j.sourceCollection === req.collection_name));
  }
  return { status: ctx.ok(), jobs: jobs.map(restoreInfo) };
}

// A rough size of the exported bundle: one metadata file, one manifest,
// and a data file per partition per ROWS_PER_FILE rows.
function bundleStats(data) {
  const perPartition = new Map(data.partitions.map((p) => [p, 0]));
  for (const row of data.rows.values()) perPartition.set(row.partition, (perPartition.get(row.partition) || 0) + 1);
  let files = 2;
  for (const n of perPartition.values()) files += Math.max(1, Math.ceil(n / ROWS_PER_FILE));
  const bytes = JSON.stringify([...data.rows.values()], (k, v) => (typeof v === 'bigint' ? String(v) : v)).length
    + JSON.stringify(data.schema).length;
  return { files, bytes };
}

function exportSnapshot(req, ctx) {
  const coll = sourceCollection(ctx, req);
  const snap = getSnapshot(coll, req.name);
  if (!req.target_s3_path) throw E.invalidParameter('target_s3_path is required');
  if (req.external_spec) {
    try {
      JSON.parse(req.external_spec);
    } catch (err) {
      throw E.invalidParameter(`invalid external_spec: ${err.message}`);
    }
  }
  const data = snap.data;
  const stats = bundleStats(data);
  const uri = `${req.target_s3_path.replace(/\/+$/, '')}/${snap.name}/metadata.json`;
  const { state } = ctx;
  const pinId = state.newId();
  state.pins.set(pinId, { snapshot: snap, collectionId: coll.id, expiresAt: 0 });
  const job = createJob(state, {
    kind: 'export',
    durationMs: ctx.config.exportDurationMs,
    failReason: ctx.control.faults.fail_export || '',
    fields: {
      snapshotName: snap.name, dbName: coll.dbName, collectionName: coll.name, uri, totalFiles: stats.files, totalBytes: stats.bytes,
    },
    onComplete() {
      state.pins.delete(pinId);
      state.exports.set(uri, { snapshotName: snap.name, data: { ...data, rows: cloneRows(data.rows) } });
    },
    onFail() { state.pins.delete(pinId); },
  });
  return { status: ctx.ok(), snapshot_metadata_uri: '', job_id: job.id };
}

// The copy stage reaches 99 % at nine tenths of the time and stays there
// while the metadata is written, like upstream's last export stage.
function exportInfo(job) {
  const now = tick(job);
  const done = now.state === 'Completed';
  const progress = done ? 100 : Math.min(99, Math.floor(now.progress / 0.9));
  const copied = done ? job.totalFiles : Math.min(job.totalFiles - 1, Math.floor((job.totalFiles * progress) / 100));
  return {
    job_id: job.id,
    snapshot_name: job.snapshotName,
    db_name: job.dbName,
    collection_name: job.collectionName,
    state: `ExportSnapshot${now.state}`,
    progress: now.state === 'Failed' ? now.progress : progress,
    reason: now.state === 'Failed' ? job.failReason : '',
    start_time: String(job.startTime),
    time_cost: String(now.timeCost),
    total_files: String(job.totalFiles),
    copied_files: String(Math.max(0, copied)),
    snapshot_metadata_uri: done ? job.uri : '',
    total_bytes: String(done ? job.totalBytes : 0),
  };
}

function restoreExternal(req, ctx) {
  if (!req.snapshot_metadata_uri) throw E.invalidParameter('snapshot_metadata_uri is required');
  if (!req.target_collection_name) throw E.invalidParameter('target collection name is required');
  const exported = ctx.state.exports.get(req.snapshot_metadata_uri);
  if (!exported) throw E.invalidParameter(`failed to read snapshot metadata from ${req.snapshot_metadata_uri}`);
  const job = startRestore(ctx, {
    snapshot: null,
    snapshotName: exported.snapshotName,
    data: exported.data,
    targetDb: ctx.db,
    targetName: req.target_collection_name,
    sourceDb: '',
    sourceCollection: '',
  });
  return { status: ctx.ok(), job_id: job.id };
}

function pinSnapshot(req, ctx) {
  const coll = sourceCollection(ctx, req);
  const snap = getSnapshot(coll, req.name);
  const ttl = Number(req.ttl_seconds || 0);
  if (ttl < 0) throw E.invalidParameter('ttl_seconds must not be negative');
  const id = ctx.state.newId();
  ctx.state.pins.set(id, { snapshot: snap, collectionId: coll.id, expiresAt: ttl > 0 ? Date.now() + ttl * 1000 : 0 });
  return { status: ctx.ok(), pin_id: id };
}

module.exports = {
  handlers: {
    async CreateSnapshot(req, ctx) { return createSnapshot(req, ctx); },
    async DropSnapshot(req, ctx) { return dropSnapshot(req, ctx); },
    async ListSnapshots(req, ctx) { return listSnapshots(req, ctx); },
    async DescribeSnapshot(req, ctx) { return describeSnapshot(req, ctx); },
    async RestoreSnapshot(req, ctx) { return restoreSnapshot(req, ctx); },

    async GetRestoreSnapshotState(req, ctx) {
      return { status: ctx.ok(), info: restoreInfo(getJob(ctx, req.job_id, 'restore')) };
    },

    async ListRestoreSnapshotJobs(req, ctx) { return listRestoreJobs(req, ctx); },
    async ExportSnapshot(req, ctx) { return exportSnapshot(req, ctx); },

    async GetExportSnapshotState(req, ctx) {
      return { status: ctx.ok(), info: exportInfo(getJob(ctx, req.job_id, 'export')) };
    },

    async RestoreExternalSnapshot(req, ctx) { return restoreExternal(req, ctx); },
    async PinSnapshotData(req, ctx) { return pinSnapshot(req, ctx); },

    async UnpinSnapshotData(req, ctx) {
      ctx.state.pins.delete(String(req.pin_id)); // unknown or expired pins: no-op
      return ctx.ok();
    },
  },
};
