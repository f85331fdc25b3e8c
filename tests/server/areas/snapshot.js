// SPDX-License-Identifier: Apache-2.0
'use strict';
// Snapshots: point-in-time copies of a collection (schema, partitions,
// indexes, rows), restore and export jobs, external restore, data pins.
//
// The checks come in the order of the proxy's tasks (names and required
// fields first, then the collection) and then datacoord's.  Restore
// follows datacoord's order: the source snapshot is pinned, the target
// collection (schema, partitions, indexes) is created when the job is
// created, its rows appear when the job completes; a failed job drops the
// target again.  Restore progress is the share of copied segments, as
// datacoord computes it; export progress moves through datacoord's
// checkpoints (5 % with the copy plan, up to 95 % while copying, 99 %
// while the metadata is published).

const { randomUUID } = require('crypto');
const { E, merr } = require('../lib/errors');
const { validateName } = require('../lib/names');
const { cloneValue, cloneRows } = require('../lib/state');
const { createJob, tick } = require('../lib/jobs');
const { startIndexBuild } = require('../lib/progress');

// Rows per sealed segment and per exported data file of the model.
const ROWS_PER_FILE = 1000;
// Files an export job copies before it records a checkpoint.
const EXPORT_BATCH = 256;
// dataCoord.snapshot.maxCompactionProtectionSeconds (default 7 days).
const MAX_PROTECTION_SECONDS = 7 * 24 * 3600;
// proxy maxPinTTLSeconds.
const MAX_PIN_TTL_SECONDS = 30 * 24 * 3600;
// proxy.maxNameLength and proxy.nameValidation.allowedChars defaults.
const MAX_NAME = 255;
const ALLOWED_CHARS = '$';
// The object storage root (minio.rootPath) under which datacoord writes
// snapshots/<collection id>/metadata/<snapshot id>.json.
const ROOT_PATH = 'files';

// merr.WrapErrParameterMissingMsg: code 1101.
const missing = (detail) => merr(1101, 'missing parameter', null, detail);

// The proxy's validateName(entity, nameType): the name is trimmed, then
// checked for emptiness, length, first character and the others, byte by
// byte as Go indexes a string.
function checkName(entity, nameType) {
  const name = String(entity || '').trim();
  if (!name) throw E.invalidExpected('not empty', name, `${nameType} should be not empty`);
  const bytes = Buffer.from(name);
  if (bytes.length > MAX_NAME) {
    throw merr(1100, `invalid parameter[${bytes.length} out of range 0 <= value <= ${MAX_NAME}]`, null,
      `the length of ${nameType} must be not greater than limit`);
  }
  const isAlpha = (b) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
  const isDigit = (b) => b >= 0x30 && b <= 0x39;
  if (bytes[0] !== 0x5f && !isAlpha(bytes[0])) {
    throw E.invalidExpected(0x5f, bytes[0], `the first character of ${nameType} must be an underscore or letter`);
  }
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x5f && !isAlpha(b) && !isDigit(b) && !ALLOWED_CHARS.includes(String.fromCharCode(b))) {
      throw E.invalidParameter(`${nameType} can only contain numbers, letters, underscores, and allowed characters (${ALLOWED_CHARS}), found ${String.fromCharCode(b)} at ${i}`);
    }
  }
}

// The rows of a snapshot per partition, as sealed segments of
// ROWS_PER_FILE rows.
function segmentCount(data) {
  const perPartition = new Map();
  for (const row of data.rows.values()) perPartition.set(row.partition, (perPartition.get(row.partition) || 0) + 1);
  let n = 0;
  for (const rows of perPartition.values()) n += Math.ceil(rows / ROWS_PER_FILE);
  return n;
}

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

function getSnapshot(coll, name, detail) {
  const snap = coll.snapshots.get(name);
  if (!snap) throw E.snapshotNotFound(name, detail ? `${detail}: collection ${coll.id}` : `collection ${coll.id}`);
  return snap;
}

function createSnapshot(req, ctx) {
  checkName(req.name, 'snapshot name');
  const protect = Number(req.compaction_protection_seconds || 0);
  if (protect < 0) throw E.invalidParameter('compaction_protection_seconds must be non-negative');
  if (protect > MAX_PROTECTION_SECONDS) {
    throw E.invalidParameter(`compaction_protection_seconds must not exceed ${MAX_PROTECTION_SECONDS}`);
  }
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  if (coll.snapshots.has(req.name)) throw E.invalidParameter(`snapshot name ${req.name} already exists`);
  coll.snapshots.set(req.name, {
    id: ctx.state.newId(),
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
  checkName(req.name, 'snapshot name');
  if (!req.collection_name) throw missing('collection_name is required for drop snapshot');
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const snap = coll.snapshots.get(req.name);
  if (!snap) return ctx.ok(); // datacoord: not found is success
  const pins = ctx.state.activePins(snap);
  if (pins > 0) throw E.snapshotPinned(req.name, `${pins} active pins, unpin before dropping`);
  coll.snapshots.delete(req.name);
  return ctx.ok();
}

function listSnapshots(req, ctx) {
  ctx.state.getDatabase(ctx.dbName); // the proxy resolves the database first
  if (!req.collection_name) throw missing('collection_name is required for ListSnapshots');
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const snaps = [...coll.snapshots.values()];
  snaps.sort((a, b) => (BigInt(a.createTs) < BigInt(b.createTs) ? -1 : 1));
  return { status: ctx.ok(), snapshots: snaps.map((s) => s.name) };
}

function describeSnapshot(req, ctx) {
  checkName(req.name, 'snapshot name');
  if (!req.collection_name) throw missing('collection_name is required for describe snapshot');
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const snap = getSnapshot(coll, req.name);
  return {
    status: ctx.ok(),
    name: snap.name,
    description: snap.description,
    collection_name: coll.name,
    partition_names: snap.data.partitions,
    create_ts: snap.createTs,
    s3_location: `${ROOT_PATH}/snapshots/${snap.collectionId}/metadata/${snap.id}.json`,
  };
}

// Creates the restore target (schema with the snapshot's field ids,
// partitions, finished indexes) without rows.
function createTarget(ctx, db, name, data) {
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
  const segments = segmentCount(spec.data);
  const job = createJob(state, {
    kind: 'restore',
    durationMs: config.restoreDurationMs,
    failReason: control.faults.fail_restore || '',
    skipExecuting: segments === 0,
    fields: {
      snapshotName: spec.snapshotName,
      targetId: target.id,
      totalSegments: segments,
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
  checkName(req.name, 'snapshot name');
  if (!req.collection_name) throw missing('collection_name is required for restore snapshot');
  if (!req.target_collection_name) throw missing('target_collection_name is required for restore snapshot');
  checkName(req.target_collection_name, 'collection name');
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const snap = getSnapshot(coll, req.name, 'failed to pin source snapshot under restore lock');
  const targetDbName = req.target_db_name || 'default';
  let targetDb;
  try {
    targetDb = ctx.state.getDatabase(targetDbName);
  } catch (err) {
    throw merr(err.code, err.reason, null, `failed to describe target database ${targetDbName}`);
  }
  const job = startRestore(ctx, {
    snapshot: snap,
    snapshotName: snap.name,
    data: snap.data,
    targetDb,
    targetName: req.target_collection_name,
  });
  return { status: ctx.ok(), job_id: job.id };
}

// RestoreSnapshotInfo as the proxy builds it: the database and collection
// names are resolved from the target collection's id (empty once it is
// gone); the time cost is known once the job completed.
function restoreInfo(ctx, job) {
  const now = tick(job);
  const total = job.totalSegments;
  let progress = 100;
  if (total > 0) {
    const copied = now.state === 'Completed' ? total : Math.floor(total * now.fraction);
    progress = Math.floor((copied * 100) / total);
  }
  let reason = '';
  if (now.state === 'Failed') reason = job.failReason;
  else if (total === 0 && now.state === 'Completed') reason = 'no segments to copy';
  const target = ctx.state.collectionById(job.targetId);
  return {
    job_id: job.id,
    snapshot_name: job.snapshotName,
    db_name: target ? target.dbName : '',
    collection_name: target ? target.name : '',
    state: `RestoreSnapshot${now.state}`,
    progress,
    reason,
    start_time: String(job.startTime),
    time_cost: String(now.state === 'Completed' && total > 0 ? now.elapsed : 0),
  };
}

function getJob(ctx, id, kind) {
  const job = ctx.state.jobs.get(String(id));
  if (!job || job.kind !== kind) {
    throw kind === 'restore' ? E.restoreJobNotFound(id) : E.exportJobNotFound(id);
  }
  return job;
}

// datacoord filters by the job's (target) collection id, or without a
// collection by the collections the database holds now.
function listRestoreJobs(req, ctx) {
  const db = ctx.db;
  let keep;
  if (req.collection_name) {
    const coll = ctx.state.getCollection(ctx, req.collection_name);
    keep = (j) => j.targetId === coll.id;
  } else {
    const ids = new Set([...db.collections.values()].map((c) => c.id));
    keep = (j) => ids.has(j.targetId);
  }
  const jobs = [...ctx.state.jobs.values()].filter((j) => j.kind === 'restore' && keep(j));
  return { status: ctx.ok(), jobs: jobs.map((j) => restoreInfo(ctx, j)) };
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

// The bundle root of one export: <target>/exports/<uuid>; its metadata is
// snapshots/<collection id>/metadata/<snapshot id>.json below it.
function exportUri(target, snap) {
  const root = `${target.replace(/\/+$/, '')}/exports/${randomUUID()}`;
  return `${root}/snapshots/${snap.collectionId}/metadata/${snap.id}.json`;
}

function exportSnapshot(req, ctx) {
  checkName(req.name, 'snapshot name');
  if (!req.collection_name) throw E.invalidParameter('collection_name is required for export snapshot');
  if (!req.target_s3_path) throw E.invalidParameter('target_s3_path is required for export snapshot');
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  if (!req.target_s3_path.trim()) throw missing('target_s3_path is required');
  if (req.external_spec) {
    try {
      JSON.parse(req.external_spec);
    } catch (err) {
      throw E.invalidParameter(`invalid external_spec: ${err.message}`);
    }
  }
  const snap = getSnapshot(coll, req.name);
  const data = snap.data;
  const stats = bundleStats(data);
  const uri = exportUri(req.target_s3_path, snap);
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

// Export checkpoints over the Executing phase: the copy plan (5 %, the file
// count known) after a tenth, the copy in batches of EXPORT_BATCH files up
// to 95 % by seven tenths, the bundle size, then the metadata publication
// at 99 % from nine tenths.
function exportProgress(job, now) {
  const total = job.totalFiles;
  if (now.state === 'Completed') return { progress: 100, totalFiles: total, copied: total };
  const f = now.fraction;
  if (now.state === 'Pending' || f < 0.1) return { progress: 0, totalFiles: 0, copied: 0 };
  if (f >= 0.9) return { progress: 99, totalFiles: total, copied: total };
  if (f >= 0.7) return { progress: 95, totalFiles: total, copied: total };
  const batches = Math.ceil(total / EXPORT_BATCH);
  const copied = Math.min(total, Math.floor(((f - 0.1) / 0.6) * batches) * EXPORT_BATCH);
  return { progress: total > 0 ? Math.min(95, 5 + Math.floor((copied * 90) / total)) : 5, totalFiles: total, copied };
}

function exportInfo(job) {
  const now = tick(job);
  const done = now.state === 'Completed';
  const p = exportProgress(job, now);
  return {
    job_id: job.id,
    snapshot_name: job.snapshotName,
    db_name: job.dbName,
    collection_name: job.collectionName,
    state: `ExportSnapshot${now.state}`,
    progress: p.progress,
    reason: now.state === 'Failed' ? job.failReason : '',
    start_time: String(job.startTime),
    time_cost: String(now.elapsed),
    total_files: String(p.totalFiles),
    copied_files: String(p.copied),
    snapshot_metadata_uri: done ? job.uri : '',
    total_bytes: String(done ? job.totalBytes : 0),
  };
}

function restoreExternal(req, ctx) {
  if (!req.snapshot_metadata_uri) throw E.invalidParameter('snapshot_metadata_uri is required for restore external snapshot');
  if (!req.target_collection_name) throw E.invalidParameter('target collection name is required');
  const db = ctx.db;
  const name = req.target_collection_name;
  if (db.collections.has(name) || db.aliases.has(name)) {
    throw E.invalidParameter(`target collection ${name} already exists in database ${db.name}`);
  }
  const exported = ctx.state.exports.get(req.snapshot_metadata_uri);
  if (!exported) throw E.invalidParameter(`failed to read snapshot metadata from ${req.snapshot_metadata_uri}`);
  validateName('Collection', name);
  const job = startRestore(ctx, {
    snapshot: null,
    snapshotName: exported.snapshotName,
    data: exported.data,
    targetDb: db,
    targetName: name,
  });
  return { status: ctx.ok(), job_id: job.id };
}

function pinSnapshot(req, ctx) {
  checkName(req.name, 'snapshot name');
  if (!req.collection_name) throw missing('collection_name is required for pin snapshot data');
  const ttl = Number(req.ttl_seconds || 0);
  if (ttl < 0) throw E.invalidParameter('ttl_seconds must be non-negative');
  if (ttl > MAX_PIN_TTL_SECONDS) {
    throw E.invalidParameter(`ttl_seconds exceeds maximum of ${MAX_PIN_TTL_SECONDS} (30 days)`);
  }
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const snap = getSnapshot(coll, req.name);
  const id = ctx.state.newId();
  ctx.state.pins.set(id, { snapshot: snap, collectionId: coll.id, expiresAt: ttl > 0 ? Date.now() + ttl * 1000 : 0 });
  return { status: ctx.ok(), pin_id: id };
}

function unpinSnapshot(req, ctx) {
  if (!req.pin_id || String(req.pin_id) === '0') throw missing('pin_id is required for unpin snapshot data');
  ctx.state.pins.delete(String(req.pin_id)); // unknown or expired pins: no-op
  return ctx.ok();
}

module.exports = {
  handlers: {
    async CreateSnapshot(req, ctx) { return createSnapshot(req, ctx); },
    async DropSnapshot(req, ctx) { return dropSnapshot(req, ctx); },
    async ListSnapshots(req, ctx) { return listSnapshots(req, ctx); },
    async DescribeSnapshot(req, ctx) { return describeSnapshot(req, ctx); },
    async RestoreSnapshot(req, ctx) { return restoreSnapshot(req, ctx); },

    async GetRestoreSnapshotState(req, ctx) {
      return { status: ctx.ok(), info: restoreInfo(ctx, getJob(ctx, req.job_id, 'restore')) };
    },

    async ListRestoreSnapshotJobs(req, ctx) { return listRestoreJobs(req, ctx); },
    async ExportSnapshot(req, ctx) { return exportSnapshot(req, ctx); },

    async GetExportSnapshotState(req, ctx) {
      return { status: ctx.ok(), info: exportInfo(getJob(ctx, req.job_id, 'export')) };
    },

    async RestoreExternalSnapshot(req, ctx) { return restoreExternal(req, ctx); },
    async PinSnapshotData(req, ctx) { return pinSnapshot(req, ctx); },
    async UnpinSnapshotData(req, ctx) { return unpinSnapshot(req, ctx); },
  },
};
