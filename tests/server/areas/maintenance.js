// SPDX-License-Identifier: Apache-2.0
'use strict';
// Flush (segments sealed, flushed after a short delay), compaction jobs and
// persistent segment info.

const { E } = require('../lib/errors');
const { physicalOf } = require('../lib/state');
const vec = require('../lib/vector');

// How long a flush or a compaction takes (not configurable: clients poll).
const FLUSH_MS = 200;
const COMPACTION_MS = 300;

// Seals the collection's growing segment when data arrived since the last
// flush, as datacoord's Flush does: coll_segIDs are the segments this flush
// sealed, flush_coll_segIDs the ones already flushed before it (datacoord's
// FlushSegmentIDs), and a new growing segment takes further inserts.
function sealSegments(ctx, coll) {
  const growing = coll.segmentIds[coll.segmentIds.length - 1];
  const flushed = coll.segmentIds.slice(0, -1);
  const stamp = vec.stampOf(coll);
  if (coll.flushStamp === stamp) return { sealed: [], flushed };
  coll.flushStamp = stamp;
  coll.flushedRows = coll.rows.size;
  coll.segmentIds.push(ctx.state.newId());
  return { sealed: [growing], flushed };
}

function flush(req, ctx) {
  const db = ctx.db;
  const segs = {};
  const flushedSegs = {};
  const flushTs = {};
  const sealTimes = {};
  for (const name of req.collection_names) {
    const coll = ctx.state.getCollection(ctx, name);
    const { sealed, flushed } = sealSegments(ctx, coll);
    segs[name] = { data: sealed };
    flushedSegs[name] = { data: flushed };
    flushTs[name] = ctx.state.tso();
    sealTimes[name] = String(Math.floor(Date.now() / 1000));
  }
  return {
    status: ctx.ok(),
    db_name: db.name,
    coll_segIDs: segs,
    flush_coll_segIDs: flushedSegs,
    coll_seal_times: sealTimes,
    coll_flush_ts: flushTs,
    channel_cps: {},
  };
}

function getFlushState(req, ctx) {
  if (req.collection_name) ctx.state.getCollection(ctx, req.collection_name);
  const ts = req.flush_ts && req.flush_ts !== '0' ? physicalOf(req.flush_ts) : 0;
  return { status: ctx.ok(), flushed: Date.now() >= ts + FLUSH_MS };
}

function manualCompaction(req, ctx) {
  const coll = req.collection_name
    ? ctx.state.getCollection(ctx, req.collection_name)
    : ctx.state.collectionById(req.collectionID);
  if (!coll) throw E.collectionNotFound(req.collectionID);
  const id = ctx.state.newId();
  ctx.state.compactions.set(id, { startedAt: Date.now(), collectionId: coll.id });
  return { status: ctx.ok(), compactionID: id, compactionPlanCount: 1 };
}

function compactionState(req, ctx) {
  const job = ctx.state.compactions.get(req.compactionID);
  // An id without tasks reports Completed, like datacoord.
  const done = !job || Date.now() >= job.startedAt + COMPACTION_MS;
  return {
    status: ctx.ok(),
    state: done ? 'Completed' : 'Executing',
    executingPlanNo: done ? '0' : '1',
    timeoutPlanNo: '0',
    completedPlanNo: job && done ? '1' : '0',
    failedPlanNo: '0',
  };
}

function segmentInfo(ctx, req) {
  const coll = ctx.state.getCollection(ctx, req.collectionName);
  const partition = coll.partitions.values().next().value;
  const sealed = coll.segmentIds.slice(0, -1);
  return sealed.map((id, i) => ({
    segmentID: id,
    collectionID: coll.id,
    partitionID: partition ? partition.id : '0',
    num_rows: String(i === sealed.length - 1 ? coll.flushedRows || 0 : 0),
    state: 'Flushed',
    level: 'L1',
    is_sorted: true,
    storage_version: '2',
  }));
}

module.exports = {
  handlers: {
    async Flush(req, ctx) {
      return flush(req, ctx);
    },

    async GetFlushState(req, ctx) {
      return getFlushState(req, ctx);
    },

    async ManualCompaction(req, ctx) {
      return manualCompaction(req, ctx);
    },

    async GetCompactionState(req, ctx) {
      return compactionState(req, ctx);
    },

    async GetPersistentSegmentInfo(req, ctx) {
      return { status: ctx.ok(), infos: segmentInfo(ctx, req) };
    },
  },
};
