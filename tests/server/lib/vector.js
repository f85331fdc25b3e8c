// SPDX-License-Identifier: Apache-2.0
'use strict';
// Vector maths for the brute-force search: decoding of the half-precision
// and sparse layouts, the Milvus metrics, and a per-collection cache of
// packed vectors (Float32Array / Uint8Array) so a search touches no JS
// objects per row.
//
// Score conventions follow Milvus: L2 is the SQUARED euclidean distance,
// IP the dot product, COSINE the cosine similarity, HAMMING the number of
// differing bits, JACCARD 1 - |a&b|/|a|b|.  L2/HAMMING/JACCARD: smaller is
// better; IP/COSINE/BM25: larger is better.

const POSITIVE = new Set(['IP', 'COSINE', 'BM25']);

function largerIsBetter(metric) { return POSITIVE.has(metric); }

// IEEE half -> float
function f16ToF32(h) {
  const s = (h & 0x8000) ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const cvtBuf = new DataView(new ArrayBuffer(4));
function bf16ToF32(h) {
  cvtBuf.setUint32(0, (h & 0xffff) << 16, false);
  return cvtBuf.getFloat32(0, false);
}

function f32ToF16(v) {
  cvtBuf.setFloat32(0, v, false);
  const x = cvtBuf.getUint32(0, false);
  const sign = (x >>> 16) & 0x8000;
  let e = ((x >>> 23) & 0xff) - 127 + 15;
  let m = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    m = (m | 0x800000) >> (1 - e);
    return sign | ((m + 0x1000) >> 13);
  }
  const r = sign | (e << 10) | (m >> 13);
  return (m & 0x1000) ? r + 1 : r;
}

function f32ToBf16(v) {
  cvtBuf.setFloat32(0, v, false);
  const x = cvtBuf.getUint32(0, false);
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

// bytes (2 per element, little endian) -> Float32Array
function halfBytesToFloats(buf, bf16) {
  const n = buf.length >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const h = buf[2 * i] | (buf[2 * i + 1] << 8);
    out[i] = bf16 ? bf16ToF32(h) : f16ToF32(h);
  }
  return out;
}

function floatsToHalfBytes(arr, bf16) {
  const out = Buffer.alloc(arr.length * 2);
  for (let i = 0; i < arr.length; i++) {
    const h = bf16 ? f32ToBf16(arr[i]) : f32ToF16(arr[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >> 8;
  }
  return out;
}

function int8BytesToFloats(buf) {
  const out = new Float32Array(buf.length);
  for (let i = 0; i < buf.length; i++) out[i] = (buf[i] << 24) >> 24;
  return out;
}

function bytesToFloats(buf) {
  const out = new Float32Array(buf.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(4 * i);
  return out;
}

// Sparse row: (u32 index LE, f32 value LE)* -> {indices:[], values:[]}
function decodeSparse(buf) {
  if (buf.length % 8 !== 0) throw new Error('sparse float vector row length must be a multiple of 8');
  const n = buf.length / 8;
  const indices = new Array(n);
  const values = new Array(n);
  for (let i = 0; i < n; i++) {
    indices[i] = buf.readUInt32LE(8 * i);
    values[i] = buf.readFloatLE(8 * i + 4);
  }
  return { indices, values };
}

function encodeSparse(sp) {
  let idx;
  let val;
  if (sp instanceof Map) {
    const ents = [...sp.entries()].sort((a, b) => a[0] - b[0]);
    idx = ents.map((e) => e[0]);
    val = ents.map((e) => e[1]);
  } else {
    idx = sp.indices;
    val = sp.values;
  }
  const out = Buffer.alloc(idx.length * 8);
  for (let i = 0; i < idx.length; i++) {
    out.writeUInt32LE(idx[i] >>> 0, 8 * i);
    out.writeFloatLE(val[i], 8 * i + 4);
  }
  return out;
}

function sparseToMap(sp) {
  if (sp instanceof Map) return sp;
  const m = new Map();
  for (let i = 0; i < sp.indices.length; i++) m.set(sp.indices[i], sp.values[i]);
  return m;
}

// ---------------------------------------------------------------- metrics
function dot(a, ao, b, bo, dim) {
  let s = 0;
  for (let i = 0; i < dim; i++) s += a[ao + i] * b[bo + i];
  return s;
}

function l2sq(a, ao, b, bo, dim) {
  let s = 0;
  for (let i = 0; i < dim; i++) { const d = a[ao + i] - b[bo + i]; s += d * d; }
  return s;
}

const POP = new Uint8Array(256);
for (let i = 0; i < 256; i++) { let c = 0; let x = i; while (x) { c += x & 1; x >>= 1; } POP[i] = c; }

function hamming(a, ao, b, bo, nbytes) {
  let s = 0;
  for (let i = 0; i < nbytes; i++) s += POP[a[ao + i] ^ b[bo + i]];
  return s;
}

function jaccard(a, ao, b, bo, nbytes) {
  let inter = 0;
  let uni = 0;
  for (let i = 0; i < nbytes; i++) { inter += POP[a[ao + i] & b[bo + i]]; uni += POP[a[ao + i] | b[bo + i]]; }
  return uni === 0 ? 0 : 1 - inter / uni;
}

function sparseIP(q, m) {
  let s = 0;
  for (let i = 0; i < q.indices.length; i++) {
    const v = m.get(q.indices[i]);
    if (v !== undefined) s += v * q.values[i];
  }
  return s;
}

// ---------------------------------------------------------------- cache
// WeakMap<collection, {version}>: bumped by data writers; together with the
// identity and size of collection.rows it decides when packed matrices are
// rebuilt.
const versions = new WeakMap();
const matrices = new WeakMap();

function invalidate(coll) {
  versions.set(coll, (versions.get(coll) || 0) + 1);
}

function stampOf(coll) {
  return `${versions.get(coll) || 0}/${coll.rows.size}`;
}

// Kind of a vector data type: 'float' (FloatVector, Float16, BFloat16,
// Int8 converted to floats), 'binary', 'sparse'.
function vectorKind(type) {
  if (type === 'BinaryVector') return 'binary';
  if (type === 'SparseFloatVector') return 'sparse';
  return 'float';
}

// Row value -> Float32Array for float-like vectors
function rowFloats(type, v) {
  switch (type) {
    case 'FloatVector': return v instanceof Float32Array ? v : Float32Array.from(v);
    case 'Float16Vector': return halfBytesToFloats(v, false);
    case 'BFloat16Vector': return halfBytesToFloats(v, true);
    case 'Int8Vector': return int8BytesToFloats(v);
    default: throw new Error(`not a float vector type: ${type}`);
  }
}

// Packed matrix for one vector field: rows (Row[] in collection order, only
// rows with a non-null vector), and data.
function matrix(coll, field, dim) {
  let per = matrices.get(coll);
  if (!per) { per = new Map(); matrices.set(coll, per); }
  const stamp = stampOf(coll);
  const cached = per.get(field.name);
  if (cached && cached.stamp === stamp && cached.rowsRef === coll.rows) return cached;
  const kind = vectorKind(field.data_type);
  const rows = [];
  for (const r of coll.rows.values()) {
    const v = r.values[field.name];
    if (v !== null && v !== undefined) rows.push(r);
  }
  const m = { stamp, rowsRef: coll.rows, rows, kind, dim, index: new Map() };
  rows.forEach((r, i) => m.index.set(r, i));
  if (kind === 'float') {
    const data = new Float32Array(rows.length * dim);
    const norms = new Float32Array(rows.length);
    rows.forEach((r, i) => {
      const f = rowFloats(field.data_type, r.values[field.name]);
      data.set(f.subarray(0, dim), i * dim);
      norms[i] = Math.sqrt(dot(data, i * dim, data, i * dim, dim));
    });
    m.data = data;
    m.norms = norms;
  } else if (kind === 'binary') {
    const nb = dim >> 3;
    const data = new Uint8Array(rows.length * nb);
    rows.forEach((r, i) => data.set(r.values[field.name].subarray(0, nb), i * nb));
    m.data = data;
  } else {
    m.maps = rows.map((r) => sparseToMap(r.values[field.name]));
  }
  per.set(field.name, m);
  return m;
}

// Scores of one query against every matrix row, into a Float64Array.
// q: Float32Array (float kind), Uint8Array (binary), {indices, values} (sparse)
function scoreAll(m, q, metric, out) {
  const n = m.rows.length;
  const dim = m.dim;
  if (m.kind === 'float') {
    // Loops written out (no per-row calls) so V8 keeps them monomorphic.
    const d = m.data;
    const qv = q instanceof Float32Array ? q : Float32Array.from(q);
    if (metric === 'L2') {
      for (let i = 0, o = 0; i < n; i++, o += dim) {
        let s = 0;
        for (let k = 0; k < dim; k++) { const x = d[o + k] - qv[k]; s += x * x; }
        out[i] = s;
      }
    } else if (metric === 'IP' || metric === 'COSINE') {
      for (let i = 0, o = 0; i < n; i++, o += dim) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += d[o + k] * qv[k];
        out[i] = s;
      }
      if (metric === 'COSINE') {
        let qq = 0;
        for (let k = 0; k < dim; k++) qq += qv[k] * qv[k];
        const qn = Math.sqrt(qq);
        const norms = m.norms;
        for (let i = 0; i < n; i++) {
          const den = norms[i] * qn;
          out[i] = den === 0 ? 0 : out[i] / den;
        }
      }
    } else {
      throw new Error(`metric ${metric} is not supported for float vectors`);
    }
  } else if (m.kind === 'binary') {
    const nb = dim >> 3;
    if (metric === 'HAMMING') for (let i = 0; i < n; i++) out[i] = hamming(m.data, i * nb, q, 0, nb);
    else if (metric === 'JACCARD') for (let i = 0; i < n; i++) out[i] = jaccard(m.data, i * nb, q, 0, nb);
    else throw new Error(`metric ${metric} is not supported for binary vectors`);
  } else {
    if (metric !== 'IP' && metric !== 'BM25') throw new Error(`metric ${metric} is not supported for sparse vectors`);
    for (let i = 0; i < n; i++) out[i] = sparseIP(q, m.maps[i]);
  }
  return out;
}

// Metrics valid per kind
const METRICS = {
  float: new Set(['L2', 'IP', 'COSINE']),
  binary: new Set(['HAMMING', 'JACCARD', 'SUBSTRUCTURE', 'SUPERSTRUCTURE']),
  sparse: new Set(['IP', 'BM25']),
};

function defaultMetric(type) {
  const k = vectorKind(type);
  if (k === 'binary') return 'HAMMING';
  if (k === 'sparse') return 'IP';
  return 'COSINE';
}

module.exports = {
  largerIsBetter, f16ToF32, bf16ToF32, f32ToF16, f32ToBf16, halfBytesToFloats, floatsToHalfBytes,
  int8BytesToFloats, bytesToFloats, decodeSparse, encodeSparse, sparseToMap,
  dot, l2sq, hamming, jaccard, sparseIP, invalidate, matrix, scoreAll, vectorKind,
  rowFloats, METRICS, defaultMetric, stampOf,
};
