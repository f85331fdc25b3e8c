// SPDX-License-Identifier: Apache-2.0
'use strict';
// Partitions: create, drop, has, show, statistics.

const { E } = require('../lib/errors');
const { validateName } = require('../lib/names');
const { utcOf } = require('../lib/util');
const { loadProgress } = require('../lib/progress');

const MAX_PARTITIONS = 1024;

function hasPartitionKey(coll) {
  return coll.schema.fields.some((f) => f.is_partition_key);
}

function getPartition(coll, name) {
  const part = coll.partitions.get(name);
  if (!part) throw E.partitionNotFound(name);
  return part;
}

function rowsIn(coll, partition) {
  let n = 0;
  for (const row of coll.rows.values()) if (row.partition === partition) n++;
  return n;
}

function createPartition(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  if (hasPartitionKey(coll)) throw E.invalidParameter('disable create partition if partition key mode is used');
  validateName('Partition', req.partition_name);
  if (coll.partitions.has(req.partition_name)) return ctx.ok(); // duplicate add is a no-op upstream
  if (coll.partitions.size >= MAX_PARTITIONS) {
    throw E.invalidParameter(`partition number (${coll.partitions.size}) exceeds max configuration (${MAX_PARTITIONS}), collection: ${coll.name}`);
  }
  ctx.state.addPartition(coll, req.partition_name);
  coll.updatedTs = ctx.state.tso();
  return ctx.ok();
}

function dropPartition(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  if (hasPartitionKey(coll)) throw E.invalidParameter('disable drop partition if partition key mode is used');
  if (req.partition_name === '_default') throw E.invalidParameter('default partition cannot be deleted');
  if (!coll.partitions.has(req.partition_name)) return ctx.ok();
  const loaded = coll.load.state !== 'LoadStateNotLoad'
    && (coll.load.partitions.size === 0 || coll.load.partitions.has(req.partition_name));
  if (loaded) throw E.invalidParameter('partition cannot be dropped, partition is loaded, please release it first');
  coll.partitions.delete(req.partition_name);
  for (const [key, row] of coll.rows) if (row.partition === req.partition_name) coll.rows.delete(key);
  coll.updatedTs = ctx.state.tso();
  return ctx.ok();
}

function showPartitions(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const names = req.partition_names && req.partition_names.length ? req.partition_names : [...coll.partitions.keys()];
  const parts = names.map((n) => getPartition(coll, n));
  const progress = loadProgress(coll, ctx.config);
  const inMemory = (p) => (coll.load.partitions.size === 0 || coll.load.partitions.has(p.name) ? progress : 0);
  // Like ShowCollections, only the InMemory listing carries load
  // percentages: the plain one is rootcoord's answer as it is.
  return {
    status: ctx.ok(),
    partition_names: parts.map((p) => p.name),
    partitionIDs: parts.map((p) => p.id),
    created_timestamps: parts.map((p) => p.createdTs),
    created_utc_timestamps: parts.map((p) => utcOf(p.createdTs)),
    inMemory_percentages: req.type === 'InMemory' ? parts.map((p) => String(inMemory(p))) : [],
  };
}

module.exports = {
  handlers: {
    async CreatePartition(req, ctx) {
      return createPartition(req, ctx);
    },

    async DropPartition(req, ctx) {
      return dropPartition(req, ctx);
    },

    async HasPartition(req, ctx) {
      const coll = ctx.state.getCollection(ctx, req.collection_name);
      return { status: ctx.ok(), value: coll.partitions.has(req.partition_name) };
    },

    async ShowPartitions(req, ctx) {
      return showPartitions(req, ctx);
    },

    async GetPartitionStatistics(req, ctx) {
      const coll = ctx.state.getCollection(ctx, req.collection_name);
      getPartition(coll, req.partition_name);
      return { status: ctx.ok(), stats: [{ key: 'row_count', value: String(rowsIn(coll, req.partition_name)) }] };
    },
  },
};
