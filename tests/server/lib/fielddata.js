// SPDX-License-Identifier: Apache-2.0
'use strict';
// schema.FieldData (columnar, as decoded by proto-loader with longs and
// enums as strings, bytes as Buffer, oneofs named) <-> per-row JS values of
// the Row model (see tests/server contract):
//   Bool->boolean, Int8/16/32->number, Int64->decimal string, Float/Double->
//   number, VarChar/String/Text->string, JSON->parsed value, Array->
//   {elementType, values}, Geometry->WKT string, Timestamptz->string,
//   FloatVector->number[], Binary/Float16/BFloat16/Int8 vectors->Buffer,
//   SparseFloatVector->{indices, values}; null for a null value.

const { MilvusError } = require('./errors');
const vec = require('./vector');

const VECTOR_TYPES = new Set(['FloatVector', 'BinaryVector', 'Float16Vector', 'BFloat16Vector', 'SparseFloatVector', 'Int8Vector']);
const INT32_TYPES = new Set(['Int8', 'Int16', 'Int32']);
const STRING_TYPES = new Set(['VarChar', 'String', 'Text']);
const INT_RANGE = { Int8: [-128, 127], Int16: [-32768, 32767], Int32: [-2147483648, 2147483647] };

function invalid(msg) {
  return new MilvusError(1100, `${msg}: invalid parameter`, 'IllegalArgument');
}

function invalidExpected(msg, expected, actual) {
  return new MilvusError(1100, `${msg}: invalid parameter[expected=${expected}][actual=${actual}]`, 'IllegalArgument');
}

function typeParam(field, key) {
  const tp = field.type_params;
  if (!tp) return undefined;
  if (Array.isArray(tp)) {
    const kv = tp.find((p) => p.key === key);
    return kv ? kv.value : undefined;
  }
  return tp[key];
}

function dimOf(field) {
  const d = typeParam(field, 'dim');
  return d === undefined ? 0 : Number(d);
}

function isVectorType(t) { return VECTOR_TYPES.has(t); }

function canonInt64(x) {
  try {
    return BigInt(x).toString();
  } catch (e) {
    throw invalid(`invalid int64 value ${x}`);
  }
}

// The payload of a ScalarField / VectorField: [oneofName, value]
function scalarPayload(sc) {
  if (!sc) return [null, null];
  if (sc.data && typeof sc.data === 'string' && sc[sc.data]) return [sc.data, sc[sc.data]];
  for (const k of ['bool_data', 'int_data', 'long_data', 'float_data', 'double_data', 'string_data', 'bytes_data',
    'array_data', 'json_data', 'geometry_data', 'timestamptz_data', 'geometry_wkt_data', 'date_data', 'time_data']) {
    if (sc[k]) return [k, sc[k]];
  }
  return [null, null];
}

function vectorPayload(vf) {
  if (!vf) return [null, null];
  if (vf.data && typeof vf.data === 'string' && vf[vf.data] !== null && vf[vf.data] !== undefined) return [vf.data, vf[vf.data]];
  for (const k of ['float_vector', 'binary_vector', 'float16_vector', 'bfloat16_vector', 'sparse_float_vector', 'int8_vector']) {
    const v = vf[k];
    if (v && (k === 'float_vector' || k === 'sparse_float_vector' ? true : v.length > 0)) return [k, v];
  }
  return [null, null];
}

const EXPECTED_PAYLOAD = {
  Bool: ['bool_data'],
  Int8: ['int_data'], Int16: ['int_data'], Int32: ['int_data'],
  Int64: ['long_data'],
  Float: ['float_data'], Double: ['double_data'],
  VarChar: ['string_data'], String: ['string_data'], Text: ['string_data'],
  JSON: ['json_data'], Array: ['array_data'],
  Geometry: ['geometry_wkt_data', 'geometry_data'],
  Timestamptz: ['timestamptz_data', 'string_data', 'long_data'],
  FloatVector: ['float_vector'], BinaryVector: ['binary_vector'], Float16Vector: ['float16_vector'],
  BFloat16Vector: ['bfloat16_vector'], SparseFloatVector: ['sparse_float_vector'], Int8Vector: ['int8_vector'],
};

function parseJsonBytes(b, fieldName) {
  const s = Buffer.isBuffer(b) ? b.toString('utf8') : String(b);
  try {
    return JSON.parse(s);
  } catch (e) {
    throw invalid(`invalid JSON value for field ${fieldName}: ${s.slice(0, 64)}`);
  }
}

// ScalarField of an array element -> values
function scalarToArray(sc, elementType) {
  const [k, p] = scalarPayload(sc);
  if (!k) return [];
  const data = p.data || [];
  if (k === 'long_data') return data.map(canonInt64);
  if (k === 'json_data') return data.map((b) => parseJsonBytes(b, 'array element'));
  if (k === 'bool_data') return data.map(Boolean);
  if (elementType === 'Float') return data.map((x) => Math.fround(Number(x)));
  return data.slice();
}

// Payload -> array of per-row values (no null handling) and the row count.
function payloadRows(fd, field) {
  const name = field.name;
  const type = field.data_type;
  if (isVectorType(type)) {
    const [k, p] = vectorPayload(fd.vectors);
    if (!k) return [];
    const dim = dimOf(field);
    const dataDim = Number(fd.vectors.dim || 0);
    if (type !== 'SparseFloatVector' && dataDim !== dim) {
      throw invalidExpected(`the dim (${dataDim}) of field data(${name}) is not equal to schema dim (${dim})`, dim, dataDim);
    }
    if (!EXPECTED_PAYLOAD[type].includes(k)) throw typeMismatch(field, fd);
    const out = [];
    switch (type) {
      case 'FloatVector': {
        const d = p.data || [];
        if (dim <= 0 || d.length % dim !== 0) throw invalid(`the length(${d.length}) of float data should divide the dim(${dim})`);
        for (let i = 0; i < d.length; i += dim) out.push(d.slice(i, i + dim).map(Number));
        return out;
      }
      case 'BinaryVector':
      case 'Float16Vector':
      case 'BFloat16Vector':
      case 'Int8Vector': {
        const bytesPer = type === 'BinaryVector' ? dim / 8 : type === 'Int8Vector' ? dim : dim * 2;
        const buf = Buffer.from(p);
        if (bytesPer <= 0 || buf.length % bytesPer !== 0) {
          throw invalid(`the length(${buf.length}) of ${type} data should divide the dim(${dim})`);
        }
        for (let i = 0; i < buf.length; i += bytesPer) out.push(Buffer.from(buf.subarray(i, i + bytesPer)));
        return out;
      }
      case 'SparseFloatVector': {
        for (const row of p.contents || []) {
          let sp;
          try {
            sp = vec.decodeSparse(Buffer.from(row));
          } catch (e) {
            throw invalid(`invalid sparse float vector: ${e.message}`);
          }
          for (let i = 0; i < sp.indices.length; i++) {
            if (!Number.isFinite(sp.values[i])) throw invalid('sparse float vector value must be finite');
            if (i > 0 && sp.indices[i] <= sp.indices[i - 1]) throw invalid('sparse float vector indices must be sorted and unique');
          }
          out.push(sp);
        }
        return out;
      }
      default: return [];
    }
  }
  const [k, p] = scalarPayload(fd.scalars);
  if (!k) return [];
  if (!EXPECTED_PAYLOAD[type] || !EXPECTED_PAYLOAD[type].includes(k)) throw typeMismatch(field, fd);
  const data = p.data || [];
  switch (type) {
    case 'Bool': return data.map(Boolean);
    case 'Int8': case 'Int16': case 'Int32': {
      const [lo, hi] = INT_RANGE[type];
      return data.map((x) => {
        const v = Number(x);
        if (v < lo || v > hi) throw invalid(`the value ${v} of field ${name} is out of range of ${type}`);
        return v;
      });
    }
    case 'Int64': return data.map(canonInt64);
    case 'Float': return data.map((x) => Math.fround(Number(x)));
    case 'Double': return data.map(Number);
    case 'VarChar': case 'String': case 'Text': {
      const max = Number(typeParam(field, 'max_length') || 0);
      return data.map((s, i) => {
        s = String(s);
        if (max > 0 && type === 'VarChar' && s.length > max) {
          throw invalidExpected(`the length (${s.length}) of ${i}th VarChar ${name} exceeds max length (${max})`, max, s.length);
        }
        return s;
      });
    }
    case 'JSON': return data.map((b) => parseJsonBytes(b, name));
    case 'Array': {
      const et = field.element_type || p.element_type;
      const cap = Number(typeParam(field, 'max_capacity') || 0);
      return data.map((sc) => {
        const values = scalarToArray(sc, et);
        if (cap > 0 && values.length > cap) {
          throw invalidExpected(`the length (${values.length}) of ${name} array exceeds max capacity (${cap})`, cap, values.length);
        }
        return { elementType: et, values };
      });
    }
    case 'Geometry':
      return k === 'geometry_wkt_data' ? data.map(String) : data.map((b) => Buffer.from(b).toString('utf8'));
    case 'Timestamptz':
      return data.map(String);
    default:
      return data.slice();
  }
}

// Microseconds since the epoch (a decimal string) as RFC 3339 text, as a
// real Milvus returns Timestamptz values; text passes through.
function rfc3339(v) {
  const t = String(v);
  if (!/^-?\d+$/.test(t)) return t;
  const us = BigInt(t);
  let ms = us / 1000n;
  let rem = us % 1000000n;
  if (rem < 0n) rem += 1000000n;
  if (us < 0n && us % 1000n !== 0n) ms -= 1n;
  const iso = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const base = iso.slice(0, 19);
  return rem === 0n ? `${base}Z` : `${base}.${rem.toString().padStart(6, '0')}Z`;
}

function typeMismatch(field, fd) {
  return invalidExpected(`field ${field.name} data type mismatch`, field.data_type, fd.type);
}

// Decode one column to exactly numRows values (nulls where invalid).
// Compact (values for valid rows only) and dense nullable layouts are both
// accepted.
function decodeColumn(fd, field, numRows) {
  if (fd.type && fd.type !== field.data_type && !(STRING_TYPES.has(fd.type) && STRING_TYPES.has(field.data_type))) {
    throw typeMismatch(field, fd);
  }
  const vals = payloadRows(fd, field);
  const valid = fd.valid_data || [];
  if (valid.length > 0) {
    if (!field.nullable && field.default_value == null) {
      throw invalid(`the field ${field.name} is not nullable but has valid_data`);
    }
    if (valid.length !== numRows) {
      throw invalidExpected(`the num_rows (${valid.length}) of field (${field.name}) is not equal to passed num_rows (${numRows})`, numRows, valid.length);
    }
    const nValid = valid.reduce((n, v) => n + (v ? 1 : 0), 0);
    const out = new Array(numRows);
    if (vals.length === numRows) {
      for (let i = 0; i < numRows; i++) out[i] = valid[i] ? vals[i] : null;
    } else if (vals.length === nValid) {
      let j = 0;
      for (let i = 0; i < numRows; i++) out[i] = valid[i] ? vals[j++] : null;
    } else {
      throw invalidExpected(`the num_rows (${vals.length}) of field (${field.name}) is not equal to passed num_rows (${nValid})`, nValid, vals.length);
    }
    return out;
  }
  if (vals.length !== numRows) {
    throw invalidExpected(`the num_rows (${vals.length}) of field (${field.name}) is not equal to passed num_rows (${numRows})`, numRows, vals.length);
  }
  return vals;
}

// Dynamic ($meta) column -> array of objects
function decodeDynamic(fd, numRows) {
  const [k, p] = scalarPayload(fd.scalars);
  const data = k === 'json_data' ? p.data : [];
  if (data.length !== numRows) {
    throw invalidExpected(`the num_rows (${data.length}) of field ($meta) is not equal to passed num_rows (${numRows})`, numRows, data.length);
  }
  return data.map((b) => {
    const v = parseJsonBytes(b, '$meta');
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid('dynamic field value must be a JSON object');
    return v;
  });
}

// FieldSchema.default_value (ValueField) -> row value, undefined if none
function defaultValueOf(field) {
  const dv = field.default_value;
  if (!dv) return undefined;
  const k = dv.data || Object.keys(dv).find((x) => x.endsWith('_data') && dv[x] !== null && dv[x] !== undefined);
  if (!k) return undefined;
  const v = dv[k];
  switch (field.data_type) {
    case 'Bool': return !!v;
    case 'Int8': case 'Int16': case 'Int32': return Number(v);
    case 'Int64': return canonInt64(v);
    case 'Float': return Math.fround(Number(v));
    case 'Double': return Number(v);
    case 'JSON': return parseJsonBytes(v, field.name);
    case 'Timestamptz': return String(v);
    default: return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString() : String(v);
  }
}

// ---------------------------------------------------------------- encoding
function placeholderFor(type) {
  switch (type) {
    case 'Bool': return false;
    case 'Int64': return '0';
    case 'VarChar': case 'String': case 'Text': case 'Geometry': return '';
    default: return 0;
  }
}

function toScalarField(type, values) {
  switch (type) {
    case 'Bool': return { bool_data: { data: values } };
    case 'Int8': case 'Int16': case 'Int32': return { int_data: { data: values } };
    case 'Int64': return { long_data: { data: values.map(String) } };
    case 'Float': return { float_data: { data: values } };
    case 'Double': return { double_data: { data: values } };
    case 'VarChar': case 'String': case 'Text': return { string_data: { data: values.map(String) } };
    case 'JSON': return { json_data: { data: values.map((v) => Buffer.from(JSON.stringify(v))) } };
    default: return { string_data: { data: values.map(String) } };
  }
}

function fieldId(field) {
  return field.fieldID !== undefined && field.fieldID !== null ? String(field.fieldID) : '0';
}

// Encode `values` (one per output row, null allowed when nullable) of a
// schema field as FieldData.  Null rows are dense placeholders with
// valid_data=false, as Milvus returns them.
function encodeColumn(field, values) {
  const type = field.data_type;
  const fd = { type, field_name: field.name, field_id: fieldId(field), is_dynamic: false, valid_data: [] };
  const hasNull = field.nullable || values.some((v) => v === null || v === undefined);
  if (hasNull && field.nullable) fd.valid_data = values.map((v) => v !== null && v !== undefined);
  if (isVectorType(type)) {
    const dim = dimOf(field);
    const vf = { dim: String(dim) };
    switch (type) {
      case 'FloatVector': {
        const data = [];
        for (const v of values) {
          if (v === null || v === undefined) { for (let i = 0; i < dim; i++) data.push(0); } else { for (let i = 0; i < dim; i++) data.push(v[i]); }
        }
        vf.float_vector = { data };
        break;
      }
      case 'SparseFloatVector': {
        let maxIdx = -1;
        const contents = values.map((v) => {
          if (v === null || v === undefined) return Buffer.alloc(0);
          const m = v instanceof Map ? { indices: [...v.keys()], values: [...v.values()] } : v;
          for (const i of m.indices) if (i > maxIdx) maxIdx = i;
          return vec.encodeSparse(v);
        });
        vf.dim = String(maxIdx + 1);
        vf.sparse_float_vector = { contents, dim: String(maxIdx + 1) };
        break;
      }
      default: {
        const bytesPer = type === 'BinaryVector' ? dim / 8 : type === 'Int8Vector' ? dim : dim * 2;
        const key = { BinaryVector: 'binary_vector', Float16Vector: 'float16_vector', BFloat16Vector: 'bfloat16_vector', Int8Vector: 'int8_vector' }[type];
        vf[key] = Buffer.concat(values.map((v) => (v === null || v === undefined ? Buffer.alloc(bytesPer) : Buffer.from(v))));
      }
    }
    fd.vectors = vf;
    return fd;
  }
  const dense = values.map((v) => (v === null || v === undefined ? null : v));
  switch (type) {
    case 'Array': {
      const et = field.element_type;
      fd.scalars = {
        array_data: {
          element_type: et,
          // an empty (or null) row is an empty ScalarField, no oneof set, as
          // segcore writes it
          data: dense.map((v) => {
            const vals = v === null ? [] : (Array.isArray(v) ? v : v.values);
            return vals.length ? toScalarField(et, vals) : {};
          }),
        },
      };
      break;
    }
    case 'JSON':
      fd.scalars = { json_data: { data: dense.map((v) => (v === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(v)))) } };
      break;
    case 'Geometry':
      fd.scalars = { geometry_wkt_data: { data: dense.map((v) => (v === null ? '' : String(v))) } };
      break;
    case 'Timestamptz':
      // Milvus answers queries with RFC 3339 text in string_data (UTC here,
      // microseconds only when there are some), however the value was sent.
      fd.scalars = { string_data: { data: dense.map((v) => (v === null ? '' : rfc3339(v))) } };
      break;
    default:
      fd.scalars = toScalarField(type, dense.map((v) => (v === null ? placeholderFor(type) : v)));
  }
  return fd;
}

// The $meta column: whole dynamic objects (keys === null) or only `keys`.
function encodeDynamic(rows, keys) {
  const data = rows.map((r) => {
    const d = r.dynamic || {};
    if (!keys) return Buffer.from(JSON.stringify(d));
    const o = {};
    for (const k of keys) if (Object.prototype.hasOwnProperty.call(d, k)) o[k] = d[k];
    return Buffer.from(JSON.stringify(o));
  });
  return { type: 'JSON', field_name: '$meta', field_id: '0', is_dynamic: true, valid_data: [], scalars: { json_data: { data } } };
}

// A column of single values for group_by_field_value (scalar field or key)
function encodeValues(field, values) {
  return encodeColumn(field, values);
}

// ---------------------------------------------------------------- access
// Shared by the data/search/query areas.

let stateModule;
function stateMod() {
  if (stateModule === undefined) {
    try {
      stateModule = require('./state');
    } catch (e) {
      stateModule = null;
    }
  }
  return stateModule;
}

function collectionNotFound(name) {
  return new MilvusError(100, `collection not found[collection=${name}]`, 'CollectionNotExists');
}

// state.getCollection(ctx, name) (lib/state.js), on ctx.state or the module;
// a plain lookup in ctx.db as a last resort.
function getCollection(ctx, name) {
  if (!name) throw invalid('collection name should not be empty');
  if (ctx.state && typeof ctx.state.getCollection === 'function') return ctx.state.getCollection(ctx, name);
  const sm = stateMod();
  if (sm && typeof sm.getCollection === 'function') return sm.getCollection(ctx, name);
  const db = ctx.db;
  if (!db) throw collectionNotFound(name);
  const real = db.aliases && db.aliases.get(name) ? db.aliases.get(name) : name;
  const c = db.collections.get(real);
  if (!c) throw collectionNotFound(name);
  return c;
}

let lastTs = 0n;
function tso(ctx) {
  if (ctx && ctx.state && typeof ctx.state.tso === 'function') return String(ctx.state.tso());
  const sm = stateMod();
  if (sm && typeof sm.tso === 'function') return String(sm.tso());
  let t = BigInt(Date.now()) << 18n;
  if (t <= lastTs) t = lastTs + 1n;
  lastTs = t;
  return t.toString();
}

function requireLoaded(coll) {
  const st = coll.load && coll.load.state;
  if (st !== 'LoadStateLoaded') {
    throw new MilvusError(101, `collection not loaded[collection=${coll.name}]`, 'UnexpectedError');
  }
}

function pkField(coll) {
  return coll.schema.fields.find((f) => f.is_primary_key);
}

// Partitions searched/queried: the requested ones (must exist and be
// loaded) or all loaded ones.
function targetPartitions(coll, names) {
  const loaded = coll.load && coll.load.partitions instanceof Set && coll.load.partitions.size > 0 ? coll.load.partitions : null;
  if (names && names.length) {
    for (const n of names) {
      if (!coll.partitions.has(n)) throw new MilvusError(200, `partition not found[partition=${n}]`, 'UnexpectedError');
      if (loaded && !loaded.has(n)) throw new MilvusError(201, `partition not loaded[partition=${n}]`, 'UnexpectedError');
    }
    return new Set(names);
  }
  return loaded;
}

function isInternalField(f) {
  return f.is_dynamic || f.name === '$meta';
}

// Output field spec: {fields: [FieldSchema], dynamicAll: bool,
// dynamicKeys: [names], names: [what the response lists]}
function resolveOutput(coll, outputFields, opts) {
  const schema = coll.schema;
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const spec = { fields: [], dynamicAll: false, dynamicKeys: [], names: [] };
  const seen = new Set();
  const addField = (f) => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    spec.fields.push(f);
    spec.names.push(f.name);
  };
  const list = [];
  for (const raw of outputFields || []) {
    for (const part of String(raw).split(',')) { const n = part.trim(); if (n) list.push(n); }
  }
  for (const n of list) {
    if (n === '*') {
      for (const f of schema.fields) {
        if (isInternalField(f)) continue;
        addField(f);
      }
      if (schema.enable_dynamic_field) spec.dynamicAll = true;
      continue;
    }
    const f = byName.get(n);
    if (f && !isInternalField(f)) { addField(f); continue; }
    if (n === '$meta' || (f && isInternalField(f))) {
      if (!schema.enable_dynamic_field) throw invalid(`field ${n} not exist`);
      spec.dynamicAll = true;
      continue;
    }
    if (schema.enable_dynamic_field) {
      const m = /^\$meta\[["'](.+)["']\]$/.exec(n);
      const key = m ? m[1] : n;
      if (!spec.dynamicKeys.includes(key)) { spec.dynamicKeys.push(key); spec.names.push(n); }
      continue;
    }
    throw invalid(`field ${n} not exist`);
  }
  // Where the primary key goes (internal/proxy translateOutputFields and
  // the query/search tasks):
  //   pk: 'query'  -- a query always returns the key column; when it was
  //                   not asked for it comes last in fields_data and stays
  //                   out of output_fields (translateToOutputFieldIDs)
  //   pk: 'search' -- a search drops the key and adds it back, last in both
  //                   lists, only when asked for by name or by '*'
  //                   (userRequestedPkFieldExplicitly)
  const pk = pkField(coll);
  const mode = opts && opts.pk;
  if (pk && mode === 'query' && !seen.has(pk.name)) {
    seen.add(pk.name);
    spec.fields.push(pk);
  } else if (pk && mode === 'search' && seen.has(pk.name)) {
    spec.fields = spec.fields.filter((f) => f.name !== pk.name).concat([pk]);
    spec.names = spec.names.filter((n) => n !== pk.name).concat([pk.name]);
  }
  if (spec.dynamicAll) spec.names.push('$meta');
  return spec;
}

function rowValue(row, f) {
  const v = row.values ? row.values[f.name] : undefined;
  if (v === undefined && f.is_primary_key) return row.pk;
  return v === undefined ? null : v;
}

function buildColumns(spec, rows) {
  const cols = spec.fields.map((f) => encodeColumn(f, rows.map((r) => rowValue(r, f))));
  if (spec.dynamicAll) cols.push(encodeDynamic(rows, null));
  else if (spec.dynamicKeys.length) cols.push(encodeDynamic(rows, spec.dynamicKeys));
  return cols;
}

// Primary-key order (Int64 numerically, strings lexicographically)
function pkCompareFn(coll) {
  const pk = pkField(coll);
  if (pk && pk.data_type === 'Int64') {
    return (a, b) => {
      const x = String(a.pk);
      const y = String(b.pk);
      const nx = x[0] === '-';
      const ny = y[0] === '-';
      if (nx !== ny) return nx ? -1 : 1;
      let r = x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
      if (nx) r = -r;
      return r;
    };
  }
  return (a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0);
}

function idsOf(coll, pks) {
  const pk = pkField(coll);
  if (pk && pk.data_type === 'Int64') return { int_id: { data: pks.map(String) } };
  return { str_id: { data: pks.map(String) } };
}

function kvMap(kvs) {
  const m = {};
  for (const kv of kvs || []) m[kv.key] = kv.value;
  return m;
}

module.exports = {
  typeParam, dimOf, isVectorType, canonInt64, decodeColumn, decodeDynamic, defaultValueOf,
  encodeColumn, encodeDynamic, encodeValues, payloadRows, invalid, invalidExpected, VECTOR_TYPES,
  getCollection, tso, requireLoaded, pkField, targetPartitions, resolveOutput, buildColumns, rowValue,
  pkCompareFn, idsOf, kvMap, isInternalField,
};
