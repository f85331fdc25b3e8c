// SPDX-License-Identifier: Apache-2.0
'use strict';
// The in-memory model of a Milvus instance (see the module contract in
// tests/server/README): databases, collections, rows, indexes, load state,
// snapshots and jobs.  Everything is plain objects so that area modules can
// read them directly.

const { E } = require('./errors');

const DEFAULT_DB = 'default';
const DEFAULT_PARTITION = '_default';

// Milvus hybrid timestamps: physical milliseconds in the high bits, an
// 18-bit logical counter below.
const LOGICAL_BITS = 18n;

function physicalOf(ts) {
  return Number(BigInt(ts) >> LOGICAL_BITS);
}

class State {
  constructor() {
    this.databases = new Map();
    // Collection-unique ids as Milvus allocates them: large int64 values.
    this.nextId = 450000000000000000n + BigInt(Math.floor(Math.random() * 1e9)) * 1000n;
    this.lastTs = 0n;
    this.jobs = new Map();        // restore and export jobs by id (string)
    this.pins = new Map();        // pin id -> { snapshot, expiresAt }
    this.exports = new Map();     // metadata uri -> frozen snapshot copy
    this.compactions = new Map(); // compaction id -> { startedAt, collection }
    this.createDatabase(DEFAULT_DB, {});
  }

  newId() {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  // Monotonic hybrid timestamp (string, uint64).
  tso() {
    const physical = BigInt(Date.now()) << LOGICAL_BITS;
    this.lastTs = physical > this.lastTs ? physical : this.lastTs + 1n;
    return this.lastTs.toString();
  }

  createDatabase(name, properties) {
    const db = {
      name,
      id: name === DEFAULT_DB ? '1' : this.newId(),
      createdTs: this.tso(),
      properties: { ...properties },
      collections: new Map(),
      aliases: new Map(),
    };
    this.databases.set(name, db);
    return db;
  }

  // The Database of that name or a MilvusError 800.
  getDatabase(name) {
    const db = this.databases.get(name || DEFAULT_DB);
    if (!db) throw E.databaseNotFound(name);
    return db;
  }

  // Collection by name or alias within a database (object or name), or null.
  resolveCollection(db, name) {
    const database = typeof db === 'string' ? this.databases.get(db || DEFAULT_DB) : db;
    if (!database || !name) return null;
    const direct = database.collections.get(name);
    if (direct) return direct;
    const target = database.aliases.get(name);
    return target ? database.collections.get(target) || null : null;
  }

  // What area handlers use: the collection (name or alias) in the call's
  // database, or a MilvusError 100.
  getCollection(ctx, name) {
    const db = ctx.db;
    const coll = this.resolveCollection(db, name);
    if (!coll) throw E.collectionNotFound(name, db.name);
    return coll;
  }

  collectionById(id) {
    for (const db of this.databases.values()) {
      for (const coll of db.collections.values()) if (coll.id === id) return coll;
    }
    return null;
  }

  // Builds and registers a collection.  `schema` is the decoded
  // CollectionSchema with fieldIDs already assigned.
  addCollection(db, spec) {
    const ts = this.tso();
    const coll = {
      id: this.newId(),
      name: spec.name,
      dbName: db.name,
      description: spec.schema.description || '',
      schema: spec.schema,
      shardsNum: spec.shardsNum || 1,
      consistencyLevel: spec.consistencyLevel || 'Bounded',
      properties: { ...(spec.properties || {}) },
      createdTs: ts,
      updatedTs: ts,
      partitions: new Map(),
      rows: new Map(),
      nextAutoId: BigInt(physicalOf(ts)) * 1000n,
      indexes: new Map(),
      load: { state: 'LoadStateNotLoad', progress: 0, startedAt: 0, partitions: new Set() },
      snapshots: new Map(),
      segmentIds: [this.newId()],
    };
    const partitionNames = spec.partitionNames || [DEFAULT_PARTITION];
    for (const p of partitionNames) this.addPartition(coll, p);
    db.collections.set(coll.name, coll);
    return coll;
  }

  addPartition(coll, name) {
    const part = { id: this.newId(), name, createdTs: this.tso() };
    coll.partitions.set(name, part);
    return part;
  }

  dropCollection(db, coll) {
    db.collections.delete(coll.name);
    for (const [alias, target] of db.aliases) if (target === coll.name) db.aliases.delete(alias);
    for (const [id, pin] of this.pins) if (pin.collectionId === coll.id) this.pins.delete(id);
  }

  aliasesOf(db, collName) {
    const out = [];
    for (const [alias, target] of db.aliases) if (target === collName) out.push(alias);
    return out.sort();
  }

  primaryField(coll) {
    return coll.schema.fields.find((f) => f.is_primary_key);
  }

  // Pins that have not expired for a snapshot object.
  activePins(snapshot) {
    const now = Date.now();
    let n = 0;
    for (const [id, pin] of this.pins) {
      if (pin.expiresAt && pin.expiresAt <= now) {
        this.pins.delete(id);
      } else if (pin.snapshot === snapshot) {
        n++;
      }
    }
    return n;
  }
}

// Deep copy of one stored value (see the value conventions in the contract).
function cloneValue(v) {
  if (v === null || v === undefined || typeof v !== 'object') return v;
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, cloneValue(x)]));
  if (v instanceof Set) return new Set(v);
  if (Array.isArray(v)) return v.map(cloneValue);
  const out = {};
  for (const [k, x] of Object.entries(v)) out[k] = cloneValue(x);
  return out;
}

function cloneRows(rows) {
  const out = new Map();
  for (const [k, row] of rows) out.set(k, cloneValue(row));
  return out;
}

module.exports = { State, DEFAULT_DB, DEFAULT_PARTITION, cloneValue, cloneRows, physicalOf };

// Module-level forms of the lookups for modules that hold a Database.
module.exports.resolveCollection = (db, name) => State.prototype.resolveCollection.call(null, db, name);
