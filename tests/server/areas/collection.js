// SPDX-License-Identifier: Apache-2.0
'use strict';
// Collections: create (schema validation), describe, list, drop, rename,
// truncate, properties, field properties, statistics, added fields.

const { E, MilvusError } = require('../lib/errors');
const { validateName } = require('../lib/names');
const cs = require('../lib/collschema');
const { kvToObject, objectToKv, applyProperties, utcOf } = require('../lib/util');
const { loadProgress } = require('../lib/progress');

const DEFAULT_PARTITION_KEY_PARTITIONS = 16;

function partitionNamesFor(schema, numPartitions) {
  if (!schema.fields.some((f) => f.is_partition_key)) return ['_default'];
  const n = Number(numPartitions) > 0 ? Number(numPartitions) : DEFAULT_PARTITION_KEY_PARTITIONS;
  return Array.from({ length: n }, (_, i) => `_default_${i}`);
}

function channelNames(coll) {
  return Array.from({ length: coll.shardsNum }, (_, i) => `by-dev-rootcoord-dml_${i}_${coll.id}v${i}`);
}

function describe(ctx, db, coll) {
  return {
    status: ctx.ok(),
    schema: { ...coll.schema, name: coll.name, description: coll.description },
    collectionID: coll.id,
    virtual_channel_names: channelNames(coll),
    physical_channel_names: channelNames(coll).map((c) => c.replace(/_\d+v\d+$/, '')),
    created_timestamp: coll.createdTs,
    created_utc_timestamp: utcOf(coll.createdTs),
    shards_num: coll.shardsNum,
    aliases: ctx.state.aliasesOf(db, coll.name),
    start_positions: [],
    consistency_level: coll.consistencyLevel,
    collection_name: coll.name,
    properties: objectToKv(coll.properties),
    db_name: db.name,
    num_partitions: String(coll.partitions.size),
    db_id: db.id,
    request_time: ctx.state.tso(),
    update_timestamp: coll.updatedTs,
    update_timestamp_str: utcOf(coll.updatedTs),
  };
}

// The proxy's describeCollectionTask answers a missing collection with
// rootcoord's status but, "for compatibility with PyMilvus", error_code
// UnexpectedError, reason "can't find collection[database=D][collection=C]"
// and the input-error flag; the code (100) and detail stay, and the response
// still names the collection and database and carries an empty schema
// (internal/proxy/task.go, describeCollectionTask.Execute).
function describeNotFound(ctx, req, err) {
  const status = err.toStatus();
  status.error_code = 'UnexpectedError';
  status.reason = `can't find collection[database=${ctx.dbName}][collection=${req.collection_name}]`;
  status.extra_info = { is_input_error: 'true' };
  return {
    status,
    schema: { name: '', description: '', autoID: false, fields: [], functions: [], struct_array_fields: [] },
    collectionID: '0',
    collection_name: req.collection_name,
    db_name: ctx.dbName,
  };
}

function findCollection(ctx, req) {
  const db = ctx.db;
  if (req.collection_name) return [db, ctx.state.getCollection(ctx, req.collection_name)];
  const byId = req.collectionID && req.collectionID !== '0' ? ctx.state.collectionById(req.collectionID) : null;
  if (!byId) throw E.collectionNotFound(req.collection_name || req.collectionID, db.name);
  return [ctx.state.getDatabase(byId.dbName), byId];
}

// rootcoord's idempotency check (model.Collection.Equal): a repeated create
// succeeds only if the collection still equals what the request would make
// -- schema, description, partitions (so not after CreatePartition),
// shards, consistency level and properties.
function sameCollection(existing, spec) {
  const props = (o) => JSON.stringify(Object.entries(o || {}).sort());
  return cs.fingerprint(existing.schema) === cs.fingerprint(spec.schema)
    && (existing.schema.description || '') === (spec.schema.description || '')
    && JSON.stringify([...existing.partitions.keys()]) === JSON.stringify(spec.partitionNames)
    && existing.shardsNum === spec.shardsNum
    && existing.consistencyLevel === spec.consistencyLevel
    && props(existing.properties) === props(spec.properties);
}

function createCollection(req, ctx) {
  const db = ctx.db;
  const name = req.collection_name;
  validateName('Collection', name);
  const stored = cs.prepareSchema(name, cs.decodeSchema(req.schema));
  // rootcoord's validateIfCollectionExists: an alias of that name first
  if (db.aliases.has(name)) throw E.aliasConflict(db.name, name, 'please choose a unique name');
  const spec = {
    name,
    schema: stored,
    shardsNum: req.shards_num > 0 ? req.shards_num : 1,
    consistencyLevel: req.consistency_level || 'Bounded',
    properties: kvToObject(req.properties),
    partitionNames: partitionNamesFor(stored, req.num_partitions),
  };
  const existing = db.collections.get(name);
  if (existing) {
    if (sameCollection(existing, spec)) return ctx.ok();
    throw E.invalidParameter(`create duplicate collection with different parameters, collection: ${name}`);
  }
  ctx.state.addCollection(db, spec);
  return ctx.ok();
}

function dropCollection(req, ctx) {
  const db = ctx.db;
  const name = req.collection_name;
  if (db.aliases.has(name)) throw E.invalidParameter(`cannot drop the collection via alias = ${name}`);
  const coll = db.collections.get(name);
  if (coll) ctx.state.dropCollection(db, coll);
  return ctx.ok();
}

// The checks of rootcoord's broadcastAlterCollectionForRenameCollection and
// MetaTable.CheckIfCollectionRenamable, in their order: the new name is
// checked before the old one exists.
function renameCollection(req, ctx) {
  const db = ctx.db;
  validateName('Collection', req.newName);
  const targetDb = ctx.state.getDatabase(req.newDBName || db.name);
  if (targetDb === db && req.oldName === req.newName) {
    throw E.invalidParameter('collection name or database name should be different');
  }
  if (db.aliases.has(req.oldName)) {
    throw E.invalidParameter(`unsupported use an alias to rename collection, alias:${req.oldName}`);
  }
  if (targetDb.aliases.has(req.newName)) throw E.aliasConflict(targetDb.name, req.newName);
  if (targetDb.collections.has(req.newName)) {
    throw E.invalidParameter(`duplicated new collection name ${targetDb.name}:${req.newName} with other collection name or alias`);
  }
  const coll = db.collections.get(req.oldName);
  if (!coll) throw E.collectionNotFound(req.oldName, db.name);
  if (targetDb !== db && ctx.state.aliasesOf(db, coll.name).length) {
    throw E.invalidParameter('fail to rename db name, must drop all aliases of this collection before rename');
  }
  db.collections.delete(coll.name);
  for (const [alias, target] of db.aliases) if (target === coll.name) db.aliases.set(alias, req.newName);
  coll.name = req.newName;
  coll.dbName = targetDb.name;
  coll.updatedTs = ctx.state.tso();
  targetDb.collections.set(coll.name, coll);
  return ctx.ok();
}

function showCollections(req, ctx) {
  const db = ctx.db;
  let colls = [...db.collections.values()];
  const wanted = req.collection_names || [];
  const inMemory = req.type === 'InMemory';
  if (wanted.length && inMemory) {
    colls = wanted.map((n) => ctx.state.getCollection(ctx, n));
  } else if (wanted.length) {
    colls = colls.filter((c) => wanted.includes(c.name)); // rootcoord filters, unknown names are skipped
  }
  if (inMemory) colls = colls.filter((c) => c.load.state !== 'LoadStateNotLoad');
  const resp = {
    status: ctx.ok(),
    collection_names: colls.map((c) => c.name),
    collection_ids: colls.map((c) => c.id),
    created_timestamps: colls.map((c) => c.createdTs),
    created_utc_timestamps: colls.map((c) => utcOf(c.createdTs)),
    inMemory_percentages: [],
    query_service_available: [],
    shards_num: [],
  };
  // Only the InMemory listing asks querycoord: rootcoord's answer to the
  // plain listing has no load percentages, availability or shard numbers
  // (internal/proxy/task.go showCollectionsTask, rootcoord
  // show_collection_task.go).
  if (inMemory) {
    const progress = colls.map((c) => loadProgress(c, ctx.config));
    resp.inMemory_percentages = progress.map(String);
    resp.query_service_available = progress.map((p) => p === 100);
    resp.shards_num = colls.map((c) => c.shardsNum);
  }
  return resp;
}

function alterCollectionField(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const field = coll.schema.fields.find((f) => f.name === req.field_name);
  if (!field) throw E.fieldNotFound(req.field_name, `field ${req.field_name} does not exist in collection ${coll.name}`);
  const params = kvToObject(field.type_params);
  applyProperties(params, req.properties, req.delete_keys);
  field.type_params = objectToKv(params);
  coll.updatedTs = ctx.state.tso();
  return ctx.ok();
}

function addCollectionField(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const field = cs.decodeField(req.schema);
  cs.checkField(field);
  if (coll.schema.fields.some((f) => f.name === field.name)) {
    throw E.invalidParameter(`duplicate field name: ${field.name}`);
  }
  if (!field.nullable) throw E.invalidParameter(`added field must be nullable, please check it, field name = ${field.name}`);
  if (field.is_primary_key || field.is_partition_key) throw E.invalidParameter('not support to add pk or partition key field');
  const maxId = Math.max(...coll.schema.fields.map((f) => Number(f.fieldID)));
  field.fieldID = String(maxId + 1);
  coll.schema.fields.push(field);
  for (const row of coll.rows.values()) row.values[field.name] = null;
  coll.updatedTs = ctx.state.tso();
  return ctx.ok();
}

module.exports = {
  describe,
  handlers: {
    async CreateCollection(req, ctx) {
      return createCollection(req, ctx);
    },

    async DescribeCollection(req, ctx) {
      let found;
      try {
        found = findCollection(ctx, req);
      } catch (err) {
        if (err instanceof MilvusError && err.code === 100) return describeNotFound(ctx, req, err);
        throw err;
      }
      return describe(ctx, found[0], found[1]);
    },

    async HasCollection(req, ctx) {
      return { status: ctx.ok(), value: Boolean(ctx.state.resolveCollection(ctx.db, req.collection_name)) };
    },

    async ShowCollections(req, ctx) {
      return showCollections(req, ctx);
    },

    async DropCollection(req, ctx) {
      return dropCollection(req, ctx);
    },

    async RenameCollection(req, ctx) {
      return renameCollection(req, ctx);
    },

    async TruncateCollection(req, ctx) {
      const coll = ctx.state.getCollection(ctx, req.collection_name);
      coll.rows.clear();
      coll.updatedTs = ctx.state.tso();
      return { status: ctx.ok() };
    },

    async AlterCollection(req, ctx) {
      const coll = ctx.state.getCollection(ctx, req.collection_name);
      if (req.properties.length && req.delete_keys.length) {
        throw E.invalidParameter('cannot provide both properties and delete_keys');
      }
      applyProperties(coll.properties, req.properties, req.delete_keys);
      coll.updatedTs = ctx.state.tso();
      return ctx.ok();
    },

    async AlterCollectionField(req, ctx) {
      return alterCollectionField(req, ctx);
    },

    async GetCollectionStatistics(req, ctx) {
      const coll = ctx.state.getCollection(ctx, req.collection_name);
      return { status: ctx.ok(), stats: [{ key: 'row_count', value: String(coll.rows.size) }] };
    },

    async AddCollectionField(req, ctx) {
      return addCollectionField(req, ctx);
    },
  },
};
