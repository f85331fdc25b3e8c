// SPDX-License-Identifier: Apache-2.0
'use strict';
// Insert, Upsert (incl. partial update) and Delete, validated like the
// Milvus proxy (codes and reasons from internal/proxy: validate_util.go,
// task_insert.go, task_upsert.go, task_delete.go; pkg/util/merr).

const { MilvusError } = require('../lib/errors');

// The proxy's checkFieldsDataBySchema (internal/proxy/util.go): a field that
// is neither given nor nullable nor defaulted.
const missingField = (f) => invalid(`fieldSchema(${f.name}) has no corresponding fieldData pass in`);
const fd = require('../lib/fielddata');
const vec = require('../lib/vector');
const { compile } = require('../lib/expr');

const { invalid, invalidExpected } = fd;

function nextAutoId(coll) {
  if (typeof coll.nextAutoId !== 'bigint') {
    coll.nextAutoId = BigInt(coll.nextAutoId || (BigInt(Date.now()) << 18n));
  }
  const id = coll.nextAutoId;
  coll.nextAutoId = id + 1n;
  return id.toString();
}

function resolvePartition(coll, name) {
  const hasPartitionKey = coll.schema.fields.some((f) => f.is_partition_key);
  if (name && hasPartitionKey) {
    throw invalid('not support manually specifying the partition names if partition key mode is used');
  }
  const p = name || '_default';
  if (!coll.partitions.has(p)) {
    if (hasPartitionKey && !name) return [...coll.partitions.keys()][0];
    throw new MilvusError(200, `partition not found[partition=${p}]`, 'UnexpectedError');
  }
  return p;
}

// Decode and validate the columns of an Insert/Upsert request.
// Returns { n, columns: Map<fieldName, values[]>, dynamic: objects[]|null,
// given: Set<fieldName> }.
function decodeRequest(coll, req, mode) {
  const schema = coll.schema;
  const n = Number(req.num_rows || 0);
  if (!(n > 0)) {
    throw invalidExpected('num_rows should be greater than 0', 'invalid num_rows', n);
  }
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const columns = new Map();
  let dynamic = null;
  for (const col of req.fields_data || []) {
    if (col.is_dynamic || col.field_name === '$meta') {
      if (!schema.enable_dynamic_field) {
        throw invalid('Attempt to insert an unexpected field `$meta` to collection without enabling dynamic field');
      }
      if (dynamic) throw invalid('there is more than one dynamic field in the data');
      dynamic = fd.decodeDynamic(col, n);
      continue;
    }
    const f = byName.get(col.field_name);
    if (!f || fd.isInternalField(f)) {
      if (schema.enable_dynamic_field) {
        throw invalid(`field ${col.field_name} does not exist in the collection schema; put dynamic values into the $meta column`);
      }
      throw invalid(`Attempt to insert an unexpected field \`${col.field_name}\` to collection without enabling dynamic field`);
    }
    if (columns.has(f.name)) throw invalid(`duplicated field name ${f.name} found`);
    if (f.is_function_output) {
      throw invalid(`Attempt to insert an unexpected function output field \`${f.name}\` to collection`);
    }
    columns.set(f.name, fd.decodeColumn(col, f, n));
  }
  const given = new Set(columns.keys());
  const pk = fd.pkField(coll);
  const existing = mode === 'partial' ? [] : null;
  for (const f of schema.fields) {
    if (fd.isInternalField(f) || f.is_function_output) continue;
    if (columns.has(f.name)) {
      if (f.is_primary_key && f.autoID && mode === 'insert') {
        throw invalid(`can not assign primary field data when auto id enabled ${f.name}`);
      }
      const vals = columns.get(f.name);
      const dv = fd.defaultValueOf(f);
      if (f.is_primary_key && vals.some((v) => v === null)) throw invalid(`primary key field ${f.name} can not be null`);
      if (dv !== undefined) for (let i = 0; i < n; i++) if (vals[i] === null) vals[i] = dv;
      if (!f.nullable && vals.some((v) => v === null)) {
        throw invalid(`the field ${f.name} is not nullable but null values were given`);
      }
      continue;
    }
    if (f.is_primary_key) {
      if (f.autoID) {
        if (f.data_type !== 'Int64') {
          columns.set(f.name, Array.from({ length: n }, () => `${Date.now().toString(36)}-${nextAutoId(coll)}`));
        } else {
          columns.set(f.name, Array.from({ length: n }, () => nextAutoId(coll)));
        }
        continue;
      }
      throw missingField(f);
    }
    if (existing) continue; // partial update: missing fields keep their values (checked per row later)
    const dv = fd.defaultValueOf(f);
    if (dv !== undefined) { columns.set(f.name, new Array(n).fill(dv)); continue; }
    if (f.nullable) { columns.set(f.name, new Array(n).fill(null)); continue; }
    throw missingField(f);
  }
  if (!pk) throw invalid('primary key field not found');
  return { n, columns, dynamic, given, pk };
}

function partitionKeyTarget(coll, row) {
  const pkf = coll.schema.fields.find((f) => f.is_partition_key);
  if (!pkf) return null;
  const names = [...coll.partitions.keys()].sort();
  const v = String(row.values[pkf.name]);
  let h = 0;
  for (let i = 0; i < v.length; i++) h = (h * 31 + v.charCodeAt(i)) >>> 0;
  return names[h % names.length];
}

function buildRow(coll, dec, i, partition, ts) {
  const values = {};
  for (const [name, vals] of dec.columns) values[name] = vals[i];
  const pkVal = values[dec.pk.name];
  const row = { pk: pkVal, partition, values, dynamic: dec.dynamic ? dec.dynamic[i] : (coll.schema.enable_dynamic_field ? {} : null), ts };
  const pkp = partitionKeyTarget(coll, row);
  if (pkp) row.partition = pkp;
  return row;
}

function mutationResult(ctx, coll, pks, counts) {
  return {
    status: ctx.ok(),
    IDs: fd.idsOf(coll, pks),
    succ_index: pks.map((_, i) => i),
    err_index: [],
    acknowledged: false,
    insert_cnt: String(counts.insert || 0),
    delete_cnt: String(counts.delete || 0),
    upsert_cnt: String(counts.upsert || 0),
    timestamp: fd.tso(ctx),
  };
}

async function Insert(req, ctx) {
  const coll = fd.getCollection(ctx, req.collection_name);
  const partition = resolvePartition(coll, req.partition_name);
  const dec = decodeRequest(coll, req, 'insert');
  const ts = Date.now();
  const pks = [];
  for (let i = 0; i < dec.n; i++) {
    const row = buildRow(coll, dec, i, partition, ts);
    // A re-used primary key replaces the previous row: the latest insert
    // wins, as a Milvus query would show after compaction.
    coll.rows.set(String(row.pk), row);
    pks.push(row.pk);
  }
  vec.invalidate(coll);
  return mutationResult(ctx, coll, pks, { insert: dec.n });
}

async function Upsert(req, ctx) {
  const coll = fd.getCollection(ctx, req.collection_name);
  const partition = resolvePartition(coll, req.partition_name);
  const partial = !!req.partial_update;
  const dec = decodeRequest(coll, req, partial ? 'partial' : 'upsert');
  const ts = Date.now();
  const pks = [];
  const newRows = [];
  let existed = 0;
  for (let i = 0; i < dec.n; i++) {
    const key = String(dec.columns.get(dec.pk.name)[i]);
    const old = coll.rows.get(key);
    if (old) existed++;
    let row;
    if (partial && old) {
      row = { pk: old.pk, partition: req.partition_name ? partition : old.partition, values: { ...old.values }, dynamic: old.dynamic ? { ...old.dynamic } : old.dynamic, ts };
      for (const name of dec.given) row.values[name] = dec.columns.get(name)[i];
      if (dec.dynamic) row.dynamic = { ...(row.dynamic || {}), ...dec.dynamic[i] };
    } else {
      if (partial) {
        for (const f of coll.schema.fields) {
          if (fd.isInternalField(f) || f.is_function_output || dec.columns.has(f.name)) continue;
          const dv = fd.defaultValueOf(f);
          if (dv === undefined && !f.nullable) throw missingField(f);
        }
      }
      row = buildRow(coll, dec, i, partition, ts);
      if (partial) {
        for (const f of coll.schema.fields) {
          if (fd.isInternalField(f) || f.is_function_output || f.name in row.values) continue;
          const dv = fd.defaultValueOf(f);
          row.values[f.name] = dv === undefined ? null : dv;
        }
      }
    }
    newRows.push([key, row]);
    pks.push(row.pk);
  }
  for (const [key, row] of newRows) {
    coll.rows.delete(key);
    coll.rows.set(key, row);
  }
  vec.invalidate(coll);
  // upsertTask.PreExecute: delete_cnt is the delete message's row count --
  // every row of a plain upsert, the rows that existed for a partial update.
  return mutationResult(ctx, coll, pks, { upsert: dec.n, insert: dec.n, delete: partial ? existed : dec.n });
}

async function Delete(req, ctx) {
  const coll = fd.getCollection(ctx, req.collection_name);
  let partition = null;
  if (req.partition_name) {
    if (!coll.partitions.has(req.partition_name)) {
      throw new MilvusError(200, `partition not found[partition=${req.partition_name}]`, 'UnexpectedError');
    }
    partition = req.partition_name;
  }
  const text = (req.expr || '').trim();
  if (!text) throw invalid('expr cannot be empty');
  const c = compile(text, coll.schema, req.expr_template_values, 'failed to create delete plan: ');
  const pk = fd.pkField(coll);
  let ids = [];
  let count = 0;
  if (c.pkTerms) {
    // Milvus reports the listed keys of a plain `pk in [...]` delete.
    const seen = new Set();
    for (const v of c.pkTerms) {
      const key = pk.data_type === 'Int64' ? String(v) : v;
      if (typeof key !== 'string') continue;
      if (!seen.has(key)) { seen.add(key); ids.push(key); }
      const r = coll.rows.get(key);
      if (r && (!partition || r.partition === partition) && c.fn(r)) coll.rows.delete(key);
    }
    count = ids.length;
  } else {
    for (const [key, r] of coll.rows) {
      if (partition && r.partition !== partition) continue;
      if (c.fn(r)) { ids.push(r.pk); coll.rows.delete(key); }
    }
    count = ids.length;
  }
  vec.invalidate(coll);
  // The proxy's deleteRunner reports only delete_cnt and the timestamp: its
  // IDs stay an empty message, for pk lists and filters alike.
  const res = mutationResult(ctx, coll, [], { delete: count });
  res.IDs = {};
  res.succ_index = [];
  return res;
}

// A failed Insert or Upsert lists every row in err_index (the proxy's
// constructFailedResponse in impl.go).
function withErrIndex(fn) {
  return async (req, ctx) => {
    try {
      return await fn(req, ctx);
    } catch (err) {
      if (!(err instanceof MilvusError)) throw err;
      const n = Number(req.num_rows) > 0 ? Number(req.num_rows) : 0;
      return { status: err.toStatus(), err_index: Array.from({ length: n }, (_, i) => i) };
    }
  };
}

module.exports = { handlers: { Insert: withErrIndex(Insert), Upsert: withErrIndex(Upsert), Delete } };
