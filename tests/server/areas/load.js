// SPDX-License-Identifier: Apache-2.0
'use strict';
// Load and release of collections and partitions; progress over --load-ms.

const { E } = require('../lib/errors');
const cs = require('../lib/collschema');
const { startLoad, release, loadProgress } = require('../lib/progress');

// Like querycoord: every vector field needs an index before a load.
function requireVectorIndexes(coll) {
  const indexed = new Set([...coll.indexes.values()].map((idx) => idx.fieldName));
  const missing = coll.schema.fields.filter((f) => cs.isVector(f) && !indexed.has(f.name)).map((f) => f.name);
  if (missing.length) {
    throw E.indexNotFound(coll.name, `there is no vector index on field: [${missing.join(', ')}], please create index firstly`);
  }
}

function loadCollection(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  requireVectorIndexes(coll);
  const loadedWhole = coll.load.state !== 'LoadStateNotLoad' && coll.load.partitions.size === 0;
  if (loadedWhole && !req.refresh) return ctx.ok();
  startLoad(coll, ctx.config, []);
  return ctx.ok();
}

function loadPartitions(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  if (!req.partition_names.length) throw E.invalidParameter('partitions is empty');
  for (const p of req.partition_names) if (!coll.partitions.has(p)) throw E.partitionNotFound(p);
  requireVectorIndexes(coll);
  const previous = coll.load.state === 'LoadStateNotLoad' ? [] : [...coll.load.partitions];
  const wanted = new Set([...previous, ...req.partition_names]);
  if (coll.load.state !== 'LoadStateNotLoad' && coll.load.partitions.size === 0) return ctx.ok();
  if (!req.refresh && previous.length && req.partition_names.every((p) => previous.includes(p))) return ctx.ok();
  startLoad(coll, ctx.config, [...wanted]);
  return ctx.ok();
}

function releasePartitions(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const loaded = coll.load.partitions;
  if (coll.load.state === 'LoadStateNotLoad') return ctx.ok();
  if (loaded.size === 0) {
    // A whole-collection load: keep every other partition loaded.
    for (const p of coll.partitions.keys()) loaded.add(p);
  }
  for (const p of req.partition_names) loaded.delete(p);
  if (loaded.size === 0) release(coll);
  return ctx.ok();
}

function loadStateOf(coll, req, ctx) {
  for (const p of req.partition_names || []) if (!coll.partitions.has(p)) throw E.partitionNotFound(p);
  if (coll.load.state === 'LoadStateNotLoad') return 'LoadStateNotLoad';
  const parts = coll.load.partitions;
  if (parts.size && (req.partition_names || []).some((p) => !parts.has(p))) return 'LoadStateNotLoad';
  return loadProgress(coll, ctx.config) === 100 ? 'LoadStateLoaded' : 'LoadStateLoading';
}

module.exports = {
  handlers: {
    async LoadCollection(req, ctx) {
      return loadCollection(req, ctx);
    },

    async LoadPartitions(req, ctx) {
      return loadPartitions(req, ctx);
    },

    async ReleaseCollection(req, ctx) {
      release(ctx.state.getCollection(ctx, req.collection_name));
      return ctx.ok();
    },

    async ReleasePartitions(req, ctx) {
      return releasePartitions(req, ctx);
    },

    async GetLoadingProgress(req, ctx) {
      const coll = ctx.state.getCollection(ctx, req.collection_name);
      if (loadStateOf(coll, req, ctx) === 'LoadStateNotLoad') throw E.collectionNotLoaded(coll.name);
      const progress = String(loadProgress(coll, ctx.config));
      return { status: ctx.ok(), progress, refresh_progress: progress };
    },

    async GetLoadState(req, ctx) {
      const coll = ctx.state.getCollection(ctx, req.collection_name);
      return { status: ctx.ok(), state: loadStateOf(coll, req, ctx) };
    },
  },
};
