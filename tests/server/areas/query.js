// SPDX-License-Identifier: Apache-2.0
'use strict';
// Query: filter, output fields (incl. "*" and count(*)), limit/offset,
// partitions, template values.  Get-by-ids arrives as `pk in [...]`.
// Results are always in primary-key order, which is what the Go client's
// query iterator relies on (it pages with `(expr) and pk > last`).

const fd = require('../lib/fielddata');
const vec = require('../lib/vector');
const { compile } = require('../lib/expr');

const { invalid } = fd;
const MAX_WINDOW = 16384;

const sortedCache = new WeakMap();

// Rows of the collection in primary-key order (cached until data changes)
function sortedRows(coll) {
  const stamp = vec.stampOf(coll);
  const c = sortedCache.get(coll);
  if (c && c.stamp === stamp && c.rowsRef === coll.rows) return c.rows;
  const rows = [...coll.rows.values()].sort(fd.pkCompareFn(coll));
  sortedCache.set(coll, { stamp, rowsRef: coll.rows, rows });
  return rows;
}

function intParam(v, name) {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw invalid(`${name} [${v}] is invalid, should be greater than or equal to 0`);
  return n;
}

function isCount(name) {
  return String(name).replace(/\s+/g, '').toLowerCase() === 'count(*)';
}

async function Query(req, ctx) {
  const coll = fd.getCollection(ctx, req.collection_name);
  fd.requireLoaded(coll);
  const kv = fd.kvMap(req.query_params);
  const limit = intParam(kv.limit, 'limit');
  const offset = intParam(kv.offset, 'offset') || 0;
  const iterator = kv.iterator === 'true' || kv.iterator === 'True';
  if (limit !== undefined && !iterator && limit + offset > MAX_WINDOW) {
    throw invalid(`invalid max query result window, (offset+limit) should be in range [1, ${MAX_WINDOW}], but got ${limit + offset}`);
  }
  const text = (req.expr || '').trim();
  const outputs = req.output_fields || [];
  const count = outputs.some(isCount);
  if (!text && limit === undefined && !count) throw invalid('empty expression should be used with limit');
  if (count && (limit !== undefined || offset > 0)) throw invalid('count entities with pagination is not allowed');
  const partitions = fd.targetPartitions(coll, req.partition_names);
  const c = text ? compile(text, coll.schema, req.expr_template_values, 'failed to create query plan: ') : null;
  const pk = fd.pkField(coll);
  const ok = (r) => (!partitions || partitions.has(r.partition)) && (!c || c.fn(r));

  let candidates;
  if (c && c.pkTerms) {
    const seen = new Set();
    candidates = [];
    for (const v of c.pkTerms) {
      const key = pk.data_type === 'Int64' ? (typeof v === 'string' ? null : String(v)) : (typeof v === 'string' ? v : null);
      if (key === null || seen.has(key)) continue;
      seen.add(key);
      const r = coll.rows.get(key);
      if (r) candidates.push(r);
    }
    candidates.sort(fd.pkCompareFn(coll));
  } else {
    candidates = sortedRows(coll);
  }

  if (count) {
    let n = 0;
    for (const r of candidates) if (ok(r)) n++;
    return {
      status: ctx.ok(),
      fields_data: [{ type: 'Int64', field_name: 'count(*)', field_id: '0', is_dynamic: false, valid_data: [], scalars: { long_data: { data: [String(n)] } } }],
      collection_name: coll.name,
      output_fields: ['count(*)'],
      session_ts: fd.tso(ctx),
      primary_field_name: pk.name,
      element_indices: [],
    };
  }

  const spec = fd.resolveOutput(coll, outputs, { pk: 'query' });
  const end = limit === undefined ? Infinity : offset + limit;
  const rows = [];
  let seen = 0;
  for (const r of candidates) {
    if (seen >= end) break;
    if (!ok(r)) continue;
    if (seen >= offset) rows.push(r);
    seen++;
  }
  return {
    status: ctx.ok(),
    fields_data: fd.buildColumns(spec, rows),
    collection_name: coll.name,
    output_fields: spec.names,
    session_ts: fd.tso(ctx),
    primary_field_name: pk.name,
    element_indices: [],
  };
}

module.exports = { handlers: { Query } };
