// SPDX-License-Identifier: Apache-2.0
'use strict';
// Search (exact brute force), HybridSearch (RRF / weighted rerank) and the
// search iterator v2 protocol, answering like a Milvus 2.6 proxy.

const crypto = require('crypto');
const { MilvusError } = require('../lib/errors');
const fd = require('../lib/fielddata');
const vec = require('../lib/vector');
const { compile } = require('../lib/expr');

const { invalid, invalidExpected } = fd;
const MAX_TOPK = 16384;

// ---------------------------------------------------------------- placeholders
let pgType = null;
function placeholderGroupType() {
  if (!pgType) {
    const protobuf = require('protobufjs');
    let root;
    try {
      root = require('../lib/schema').load().root;
    } catch (e) {
      root = protobuf.Root.fromJSON(require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js').default);
    }
    pgType = root.lookupType('milvus.proto.common.PlaceholderGroup');
  }
  return pgType;
}

function decodePlaceholders(buf) {
  const T = placeholderGroupType();
  let msg;
  try {
    msg = T.toObject(T.decode(buf), { enums: String, bytes: Buffer, defaults: true });
  } catch (e) {
    throw invalid(`failed to parse placeholder group: ${e.message}`);
  }
  if (!msg.placeholders || msg.placeholders.length === 0) throw invalid('placeholder group is empty');
  return msg.placeholders[0];
}

// One query vector in the representation vector.scoreAll expects.
function queryVector(field, type, bytes) {
  const dim = fd.dimOf(field);
  const ftype = field.data_type;
  const b = Buffer.from(bytes);
  // The proxy does not check the query vectors' size: segcore's
  // ParsePlaceholderGroup does (query/Plan.cpp, DimNotMatch), and the
  // search fails with merr.ErrSegcore (2000) and its words.
  const dimErr = (bytesPerDim) => new MilvusError(2000,
    `vector dimension mismatch, expected vector size(byte) ${dim * bytesPerDim}, actual ${b.length}.: segcore error`,
    'UnexpectedError');
  const floatField = ftype === 'FloatVector' || ftype === 'Float16Vector' || ftype === 'BFloat16Vector' || ftype === 'Int8Vector';
  switch (type) {
    case 'FloatVector':
      if (!floatField) break;
      if (b.length !== dim * 4) throw dimErr(4);
      return vec.bytesToFloats(b);
    case 'Float16Vector':
    case 'BFloat16Vector':
      if (!floatField || (ftype !== type && ftype !== 'FloatVector')) break;
      if (b.length !== dim * 2) throw dimErr(2);
      return vec.halfBytesToFloats(b, type === 'BFloat16Vector');
    case 'Int8Vector':
      if (ftype !== 'Int8Vector') break;
      if (b.length !== dim) throw dimErr(1);
      return vec.int8BytesToFloats(b);
    case 'BinaryVector':
      if (ftype !== 'BinaryVector') break;
      if (b.length * 8 !== dim) throw dimErr(1 / 8);
      return new Uint8Array(b);
    case 'SparseFloatVector':
      if (ftype !== 'SparseFloatVector') break;
      try {
        return vec.decodeSparse(b);
      } catch (e) {
        throw invalid(`invalid sparse float vector: ${e.message}`);
      }
    default:
      throw invalid(`search with placeholder type ${type} is not supported by this server`);
  }
  throw invalid(`the type of the search vectors (${type}) does not match the type of field ${field.name} (${ftype})`);
}

// Query vectors given by primary keys (search_input = ids)
function vectorsOfIds(coll, field, ids) {
  const list = ids.int_id ? ids.int_id.data.map(String) : ids.str_id ? ids.str_id.data : [];
  if (!list.length) throw invalid('ids for search are empty');
  return list.map((k) => {
    const r = coll.rows.get(fd.pkField(coll).data_type === 'Int64' ? fd.canonInt64(k) : k);
    const v = r ? r.values[field.name] : null;
    if (v === null || v === undefined) throw invalid(`primary key ${k} not found or its vector is null`);
    switch (vec.vectorKind(field.data_type)) {
      case 'binary': return new Uint8Array(v);
      case 'sparse': return v instanceof Map ? { indices: [...v.keys()], values: [...v.values()] } : v;
      default: return vec.rowFloats(field.data_type, v);
    }
  });
}

// ---------------------------------------------------------------- params
function indexMetric(coll, field) {
  if (!coll.indexes) return null;
  for (const ix of coll.indexes.values()) {
    if (ix.fieldName !== field.name) continue;
    const p = ix.params || {};
    if (p.metric_type) return String(p.metric_type).toUpperCase();
    if (p.params) {
      try {
        const j = JSON.parse(p.params);
        if (j.metric_type) return String(j.metric_type).toUpperCase();
      } catch (e) { /* not JSON */ }
    }
  }
  return null;
}

function parseJsonParam(s, what) {
  if (s === undefined || s === null || s === '') return {};
  try {
    const v = JSON.parse(s);
    return v && typeof v === 'object' ? v : {};
  } catch (e) {
    throw invalid(`failed to parse ${what}: ${s}`);
  }
}

function intParam(v, name, dflt) {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalid(`${name} [${v}] is invalid, it should be an integer`);
  return n;
}

function boolParam(v) {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

// Everything one ANN request asks for.
function parseSearch(coll, req, opts) {
  const kv = fd.kvMap(req.search_params);
  const schema = coll.schema;
  const vecFields = schema.fields.filter((f) => fd.isVectorType(f.data_type));
  let field;
  if (kv.anns_field) {
    field = schema.fields.find((f) => f.name === kv.anns_field);
    if (!field) throw invalid(`failed to get field schema by name: fieldName(${kv.anns_field}) not found`);
    if (!fd.isVectorType(field.data_type)) throw invalid(`field (${kv.anns_field}) to search is not of vector data type`);
  } else if (vecFields.length === 1) {
    field = vecFields[0];
  } else if (vecFields.length === 0) {
    throw invalid('there is no vector field in the collection');
  } else {
    throw invalid('multiple anns_fields exist, please specify a anns_field in search_params');
  }
  const params = parseJsonParam(kv.params, 'search params');
  const iterV2 = boolParam(kv.iterator) && boolParam(kv.search_iter_v2);
  let topk = intParam(kv.topk !== undefined ? kv.topk : kv.limit, 'topk', undefined);
  if (iterV2 && kv.search_iter_batch_size !== undefined) topk = intParam(kv.search_iter_batch_size, 'search_iter_batch_size', topk);
  if (topk === undefined) {
    if (opts && opts.defaultTopk) topk = opts.defaultTopk;
    else throw invalid('topk not found in search_params');
  }
  if (topk < 1 || topk > MAX_TOPK) throw invalid(`topk [${topk}] is invalid, it should be in range [1, ${MAX_TOPK}]`);
  const offset = intParam(kv.offset, 'offset', 0);
  if (offset < 0 || offset + topk > MAX_TOPK) {
    throw invalid(`${'top'}k+offset should be in range [1, ${MAX_TOPK}], but got ${offset + topk}`);
  }
  const idxMetric = indexMetric(coll, field);
  let metric = kv.metric_type || params.metric_type || '';
  metric = String(metric).toUpperCase();
  if (metric && idxMetric && metric !== idxMetric) {
    throw invalidExpected('metric type not match', idxMetric, metric);
  }
  if (!metric) metric = idxMetric || vec.defaultMetric(field.data_type);
  const kind = vec.vectorKind(field.data_type);
  if (!vec.METRICS[kind].has(metric) || metric === 'SUBSTRUCTURE' || metric === 'SUPERSTRUCTURE') {
    throw invalid(`metric type ${metric} is not supported for field ${field.name} of type ${field.data_type}`);
  }
  const roundDecimal = intParam(kv.round_decimal, 'round_decimal', -1);
  if (roundDecimal !== -1 && (roundDecimal < 0 || roundDecimal > 6)) {
    throw invalid(`round_decimal ${roundDecimal} is invalid, should be -1 or an integer in range [0, 6]`);
  }
  const radius = params.radius !== undefined ? Number(params.radius) : kv.radius !== undefined ? Number(kv.radius) : undefined;
  const rangeFilter = params.range_filter !== undefined ? Number(params.range_filter)
    : kv.range_filter !== undefined ? Number(kv.range_filter) : undefined;
  const larger = vec.largerIsBetter(metric);
  if (radius !== undefined && rangeFilter !== undefined) {
    if (larger ? !(rangeFilter > radius) : !(rangeFilter < radius)) {
      throw invalid(larger ? 'range_filter must be greater than radius for IP/COSINE'
        : 'range_filter must be less than radius for L2/HAMMING/JACCARD');
    }
  }
  let groupField = null;
  if (kv.group_by_field) {
    groupField = schema.fields.find((f) => f.name === kv.group_by_field);
    if (!groupField) throw invalid(`groupBy field(${kv.group_by_field}) not found in schema`);
    if (fd.isVectorType(groupField.data_type) || ['Float', 'Double', 'JSON', 'Array'].includes(groupField.data_type)) {
      throw invalid(`unsupported data type ${groupField.data_type} for group by operator`);
    }
  }
  const groupSize = intParam(kv.group_size, 'group_size', 1);
  if (groupField && (groupSize < 1 || groupSize > 1024)) throw invalid(`group_size [${groupSize}] is invalid, it should be in range [1, 1024]`);
  return {
    field, metric, larger, topk, offset, roundDecimal, radius, rangeFilter, groupField, groupSize,
    strictGroupSize: boolParam(kv.strict_group_size),
    iterV2, iterId: kv.search_iter_id || '',
    iterBound: kv.search_iter_last_bound !== undefined && kv.search_iter_last_bound !== '' ? Number(kv.search_iter_last_bound) : undefined,
  };
}

// ---------------------------------------------------------------- core
// Candidate mask over the matrix rows: partitions + filter.
function candidateMask(m, partitions, filter) {
  const n = m.rows.length;
  if (!partitions && !filter) return null;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = m.rows[i];
    if (partitions && !partitions.has(r.partition)) continue;
    if (filter && !filter(r)) continue;
    mask[i] = 1;
  }
  return mask;
}

function better(larger) {
  return larger ? (a, b) => a > b : (a, b) => a < b;
}

// Sorted (best first) candidate indices of one query, at most `need`
// (Infinity = all).  `accept(i, score)` filters further.
function rank(scores, n, mask, larger, need, accept) {
  const isBetter = better(larger);
  const cmp = larger ? (a, b) => scores[b] - scores[a] || a - b : (a, b) => scores[a] - scores[b] || a - b;
  if (need === Infinity || need > 64) {
    const idx = [];
    for (let i = 0; i < n; i++) {
      if (mask && !mask[i]) continue;
      const s = scores[i];
      if (Number.isNaN(s)) continue;
      if (accept && !accept(i, s)) continue;
      idx.push(i);
    }
    idx.sort(cmp);
    return need === Infinity ? idx : idx.slice(0, need);
  }
  // small k: insertion into a bounded sorted list
  const top = [];
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const s = scores[i];
    if (Number.isNaN(s)) continue;
    if (top.length === need && !isBetter(s, scores[top[top.length - 1]])) continue;
    if (accept && !accept(i, s)) continue;
    let j = top.length;
    if (j === need) { top.pop(); j--; }
    while (j > 0 && isBetter(s, scores[top[j - 1]])) j--;
    top.splice(j, 0, i);
  }
  return top;
}

function groupKey(v) {
  if (v === null || v === undefined) return 'null';
  return typeof v + ':' + String(v);
}

// ---------------------------------------------------------------- iterator state
const iterTokens = new Map(); // token -> { emitted: Set<pkKey>, touched }
const MAX_TOKENS = 1000;

function iterState(token) {
  let st = iterTokens.get(token);
  if (st) {
    iterTokens.delete(token);
    iterTokens.set(token, st); // LRU order
    st.touched = Date.now();
    return st;
  }
  st = { emitted: new Set(), touched: Date.now() };
  iterTokens.set(token, st);
  while (iterTokens.size > MAX_TOKENS) iterTokens.delete(iterTokens.keys().next().value);
  return st;
}

// Runs one ANN request: returns { perQuery: [[{row, score}]], sp, groupVals }
function runAnn(coll, req, opts) {
  const sp = parseSearch(coll, req, opts);
  const partitions = fd.targetPartitions(coll, (opts && opts.partitionNames) || req.partition_names);
  let queries;
  if (req.search_input === 'ids' || (req.ids && (req.ids.int_id || req.ids.str_id) && !(req.placeholder_group && req.placeholder_group.length))) {
    queries = vectorsOfIds(coll, sp.field, req.ids);
  } else {
    if (!req.placeholder_group || !req.placeholder_group.length) throw invalid('placeholder group is empty');
    const ph = decodePlaceholders(req.placeholder_group);
    if (!ph.values || ph.values.length === 0) throw invalid('nq [0] is invalid, nq (number of search vector per search request) should be in range [1, 16384]');
    queries = ph.values.map((b) => queryVector(sp.field, ph.type, b));
  }
  if (queries.length > MAX_TOPK) throw invalid(`nq [${queries.length}] is invalid, nq (number of search vector per search request) should be in range [1, 16384]`);
  const dsl = (req.dsl || '').trim();
  const filter = dsl ? compile(dsl, coll.schema, req.expr_template_values, 'failed to create query plan: ').fn : null;
  const dim = fd.dimOf(sp.field);
  const m = vec.matrix(coll, sp.field, dim);
  const n = m.rows.length;
  const mask = candidateMask(m, partitions, filter);
  // segcore's all_search_count: the rows of the searched segments (every row
  // of the target partitions, before the filter), once per request
  let searched = 0;
  for (const r of m.rows) if (!partitions || partitions.has(r.partition)) searched++;
  const scores = new Float64Array(n);
  const larger = sp.larger;
  let accept = null;
  if (sp.radius !== undefined || sp.rangeFilter !== undefined) {
    const { radius, rangeFilter } = sp;
    accept = larger
      ? (i, s) => (radius === undefined || s > radius) && (rangeFilter === undefined || s <= rangeFilter)
      : (i, s) => (radius === undefined || s < radius) && (rangeFilter === undefined || s >= rangeFilter);
  }
  let iter = null;
  if (sp.iterV2) {
    if (queries.length !== 1) throw invalid('Not support search iteration over multiple vectors at present');
    if (sp.groupField) throw invalid('Not support search iteration with group by at present');
    const known = sp.iterId && iterTokens.has(sp.iterId);
    const token = sp.iterId || crypto.randomUUID();
    const st = iterState(token);
    const bound = sp.iterBound !== undefined && Number.isFinite(sp.iterBound) && sp.iterId ? Math.fround(sp.iterBound) : undefined;
    const prev = accept;
    accept = (i, s) => {
      if (prev && !prev(i, s)) return false;
      if (bound !== undefined) {
        const f = Math.fround(s);
        if (known) { if (larger ? f > bound : f < bound) return false; } else if (larger ? f >= bound : f <= bound) return false;
      }
      return !st.emitted.has(String(m.rows[i].pk));
    };
    iter = { token, st, bound };
  }
  const perQuery = [];
  const groupVals = [];
  for (const q of queries) {
    vec.scoreAll(m, q, sp.metric, scores);
    let hits;
    const gv = [];
    if (sp.groupField) {
      const order = rank(scores, n, mask, larger, Infinity, accept);
      const groups = new Map();
      const orderG = [];
      const needGroups = sp.offset + sp.topk;
      for (const i of order) {
        const v = fd.rowValue(m.rows[i], sp.groupField);
        const key = groupKey(v);
        let g = groups.get(key);
        if (!g) {
          if (orderG.length >= needGroups) continue;
          g = { v, items: [] };
          groups.set(key, g);
          orderG.push(g);
        }
        if (g.items.length < sp.groupSize) g.items.push(i);
      }
      hits = [];
      for (const g of orderG.slice(sp.offset)) for (const i of g.items) { hits.push(i); gv.push(g.v); }
    } else {
      const need = iter ? sp.topk : sp.offset + sp.topk;
      hits = rank(scores, n, mask, larger, need, accept);
      if (!iter) hits = hits.slice(sp.offset);
    }
    perQuery.push(hits.map((i) => ({ row: m.rows[i], score: scores[i] })));
    groupVals.push(gv);
  }
  if (iter) {
    const hits = perQuery[0];
    for (const h of hits) iter.st.emitted.add(String(h.row.pk));
    const last = hits.length ? Math.fround(hits[hits.length - 1].score) : (iter.bound !== undefined ? iter.bound : 0);
    iter.result = { token: iter.token, last_bound: last };
  }
  return { perQuery, groupVals, sp, iter, searched };
}

function roundScore(s, d) {
  if (d === -1 || d === undefined) return s;
  const mul = 10 ** d;
  return Math.floor(s * mul + 0.5) / mul;
}

function assemble(ctx, coll, perQuery, spec, opts) {
  const ids = [];
  const scores = [];
  const topks = [];
  const rows = [];
  for (const hits of perQuery) {
    topks.push(String(hits.length));
    for (const h of hits) {
      ids.push(h.row.pk);
      scores.push(roundScore(h.score, opts.roundDecimal));
      rows.push(h.row);
    }
  }
  const pk = fd.pkField(coll);
  const results = {
    num_queries: String(perQuery.length),
    top_k: String(opts.topk),
    fields_data: fd.buildColumns(spec, rows),
    scores,
    ids: fd.idsOf(coll, ids),
    topks,
    output_fields: spec.names,
    group_by_field_value: null,
    all_search_count: String(opts.searched || 0),
    distances: [],
    recalls: [],
    primary_field_name: pk ? pk.name : '',
    highlight_results: [],
    group_by_field_values: [],
    agg_buckets: [],
    agg_topks: [],
  };
  return { status: ctx.ok(), results, collection_name: coll.name, session_ts: fd.tso(ctx) };
}

// Like the proxy, search results carry the primary-key column in
// fields_data/output_fields only when it was asked for (the hit ids are in
// `ids` anyway).
async function Search(req, ctx) {
  const coll = fd.getCollection(ctx, req.collection_name);
  fd.requireLoaded(coll);
  if (req.sub_reqs && req.sub_reqs.length) throw invalid('search with sub requests is not supported by this server; use HybridSearch');
  const spec = fd.resolveOutput(coll, req.output_fields, { pk: 'search' });
  const { perQuery, groupVals, sp, iter, searched } = runAnn(coll, req);
  const res = assemble(ctx, coll, perQuery, spec, { ...sp, searched });
  if (sp.groupField) {
    res.results.group_by_field_value = fd.encodeValues(sp.groupField, groupVals.flat());
  }
  if (iter) res.results.search_iterator_v2_results = iter.result;
  return res;
}

// ---------------------------------------------------------------- hybrid
function rerankSpec(req, nReqs) {
  const kv = fd.kvMap(req.rank_params);
  let strategy = kv.strategy;
  let params = parseJsonParam(kv.params, 'rank params');
  // Milvus 2.6 function-score form: one Rerank function with KV params.
  const fs = req.function_score;
  if (!strategy && fs && fs.functions && fs.functions.length) {
    const f = fs.functions[0];
    const p = fd.kvMap(f.params);
    strategy = p.reranker;
    params = {};
    for (const [k, v] of Object.entries(p)) {
      if (k === 'reranker') continue;
      try { params[k] = JSON.parse(v); } catch (e) { params[k] = v; }
    }
  }
  if (!strategy) strategy = 'rrf';
  strategy = String(strategy).toLowerCase();
  const limit = intParam(kv.limit, 'limit', undefined);
  const offset = intParam(kv.offset, 'offset', 0);
  const roundDecimal = intParam(kv.round_decimal, 'round_decimal', -1);
  if (strategy === 'rrf') {
    const k = params.k === undefined ? 60 : Number(params.k);
    if (!(k > 0 && k < 16384)) throw invalid('The rank params k should be in range (0, 16384)');
    return { strategy, k, limit, offset, roundDecimal };
  }
  if (strategy === 'weighted') {
    const w = params.weights;
    if (!Array.isArray(w)) throw invalid('The weights param should be an array');
    for (const x of w) {
      if (typeof x !== 'number') throw invalid('The type of rank param weight should be float');
      if (x < 0 || x > 1) throw invalid('rank param weight should be in range [0, 1]');
    }
    if (w.length !== nReqs) {
      throw invalidExpected('the length of weights param mismatch with ann search requests', nReqs, w.length);
    }
    const normScore = params.norm_score === undefined ? true : boolParam(params.norm_score);
    return { strategy, weights: w, normScore, limit, offset, roundDecimal };
  }
  throw invalid(`unsupported rank type ${strategy}`);
}

function normalizer(metric, norm) {
  const m = String(metric).toUpperCase();
  if (!norm) return (s) => s;
  if (m === 'COSINE') return (s) => (1 + s) * 0.5;
  if (m === 'IP') return (s) => 0.5 + Math.atan(s) / Math.PI;
  if (m === 'BM25') return (s) => 2 * Math.atan(s) / Math.PI;
  return (s) => 1 - 2 * Math.atan(s) / Math.PI;
}

async function HybridSearch(req, ctx) {
  const coll = fd.getCollection(ctx, req.collection_name);
  fd.requireLoaded(coll);
  const subs = req.requests || [];
  if (subs.length === 0) throw invalid('no ann search requests in hybrid search');
  if (subs.length > 1024) throw invalid('maximum of ann search requests is 1024');
  const rr = rerankSpec(req, subs.length);
  const spec = fd.resolveOutput(coll, req.output_fields, { pk: 'search' });
  const runs = subs.map((s) => runAnn(coll, s, { partitionNames: req.partition_names && req.partition_names.length ? req.partition_names : s.partition_names }));
  const nq = runs[0].perQuery.length;
  for (const r of runs) if (r.perQuery.length !== nq) throw invalid('nq of all ann search requests in hybrid search must be the same');
  let limit = rr.limit;
  if (limit === undefined) limit = Math.max(...runs.map((r) => r.sp.topk));
  if (limit < 1 || limit > MAX_TOPK) throw invalid(`topk [${limit}] is invalid, it should be in range [1, ${MAX_TOPK}]`);
  const metrics = runs.map((r) => r.sp.metric);
  const anyLarger = metrics.some((mt) => vec.largerIsBetter(mt));
  const anySmaller = metrics.some((mt) => !vec.largerIsBetter(mt));
  let descending = true;
  let norms;
  if (rr.strategy === 'weighted') {
    if (rr.normScore) {
      norms = metrics.map((mt) => normalizer(mt, true));
    } else if (anyLarger && anySmaller) {
      norms = metrics.map((mt) => (vec.largerIsBetter(mt) ? (s) => s : normalizer(mt, true)));
    } else {
      norms = metrics.map(() => (s) => s);
      descending = anyLarger;
    }
  }
  const pkf = fd.pkField(coll);
  const pkLess = pkf.data_type === 'Int64'
    ? (a, b) => { const x = BigInt(a); const y = BigInt(b); return x < y ? -1 : x > y ? 1 : 0; }
    : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const perQuery = [];
  for (let qi = 0; qi < nq; qi++) {
    const acc = new Map(); // pkKey -> {row, score}
    runs.forEach((r, ri) => {
      r.perQuery[qi].forEach((h, rankIdx) => {
        const key = String(h.row.pk);
        const add = rr.strategy === 'rrf' ? 1 / (rr.k + rankIdx + 1) : rr.weights[ri] * norms[ri](h.score);
        const e = acc.get(key);
        if (e) e.score += add; else acc.set(key, { row: h.row, score: add });
      });
    });
    const all = [...acc.values()].map((e) => ({ row: e.row, score: Math.fround(e.score) }));
    all.sort((a, b) => (a.score === b.score ? pkLess(a.row.pk, b.row.pk) : descending ? b.score - a.score : a.score - b.score));
    perQuery.push(all.slice(rr.offset, rr.offset + limit));
  }
  const searched = runs.reduce((n, r) => n + r.searched, 0);
  return assemble(ctx, coll, perQuery, spec, { topk: limit, roundDecimal: rr.roundDecimal, searched });
}

module.exports = { handlers: { Search, HybridSearch }, _test: { iterTokens, normalizer } };
