// SPDX-License-Identifier: Apache-2.0
'use strict';
// Indexes: create (build progress over --index-ms), describe, drop, alter,
// and the older state/progress RPCs.

const { E } = require('../lib/errors');
const cs = require('../lib/collschema');
const { kvToObject, objectToKv, applyProperties } = require('../lib/util');
const { startIndexBuild, indexView } = require('../lib/progress');

const DEFAULT_METRIC = {
  FloatVector: 'COSINE',
  Float16Vector: 'COSINE',
  BFloat16Vector: 'COSINE',
  Int8Vector: 'COSINE',
  BinaryVector: 'HAMMING',
  SparseFloatVector: 'IP',
};

// The index types and metrics the proxy's index checkers accept per
// vector kind (Milvus 2.5/2.6), and the scalar index types.
const FLOAT_INDEXES = ['FLAT', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'IVF_RABITQ', 'HNSW', 'HNSW_SQ',
  'HNSW_PQ', 'HNSW_PRQ', 'DISKANN', 'SCANN', 'GPU_CAGRA', 'GPU_IVF_FLAT', 'GPU_IVF_PQ',
  'GPU_BRUTE_FORCE', 'AUTOINDEX'];
const VECTOR_INDEXES = {
  FloatVector: FLOAT_INDEXES,
  Float16Vector: FLOAT_INDEXES,
  BFloat16Vector: FLOAT_INDEXES,
  Int8Vector: ['HNSW', 'HNSW_SQ', 'HNSW_PQ', 'HNSW_PRQ', 'AUTOINDEX'],
  BinaryVector: ['BIN_FLAT', 'BIN_IVF_FLAT', 'MINHASH_LSH', 'AUTOINDEX'],
  SparseFloatVector: ['SPARSE_INVERTED_INDEX', 'SPARSE_WAND', 'AUTOINDEX'],
};
const FLOAT_METRICS = ['L2', 'IP', 'COSINE'];
const VECTOR_METRICS = {
  FloatVector: FLOAT_METRICS,
  Float16Vector: FLOAT_METRICS,
  BFloat16Vector: FLOAT_METRICS,
  Int8Vector: FLOAT_METRICS,
  BinaryVector: ['HAMMING', 'JACCARD', 'SUBSTRUCTURE', 'SUPERSTRUCTURE', 'MHJACCARD'],
  SparseFloatVector: ['IP', 'BM25'],
};
const SCALAR_INDEXES = ['INVERTED', 'STL_SORT', 'Trie', 'TRIE', 'BITMAP', 'AUTOINDEX', 'NGRAM', 'RTREE', 'HYBRID'];
// schema.DataType numbers, as checkTrain prints them ("data type 101 ...").
const DATA_TYPE_NUMBERS = {
  BinaryVector: 100, FloatVector: 101, Float16Vector: 102, BFloat16Vector: 103, SparseFloatVector: 104, Int8Vector: 105,
};

// Index parameters as a flat map; a JSON `params` entry (what the Node SDK
// sends) is kept as given, like the proxy does.  The checks and words of the
// proxy's createIndexTask.parseIndexParams (internal/proxy/task_index.go):
// an unknown index type is merr.WrapErrParameterInvalid("valid index",
// "invalid index type: HNWS"); a vector metric the field's kind does not
// support, WrapErrParameterInvalid("valid index params", "invalid index
// params", "float vector index does not support metric type: HAMMING").
const paramsInvalid = (msg) => E.invalidExpected('valid index params', 'invalid index params', msg);

function indexParams(field, extra) {
  const params = kvToObject(extra);
  if (params.index_type) {
    const known = cs.isVector(field) ? Object.values(VECTOR_INDEXES).flat() : SCALAR_INDEXES;
    if (!known.includes(params.index_type.toUpperCase()) && !known.includes(params.index_type)) {
      throw E.invalidExpected('valid index', `invalid index type: ${params.index_type}`);
    }
  }
  if (cs.isVector(field)) {
    if (!params.index_type) params.index_type = 'AUTOINDEX';
    const kinds = VECTOR_INDEXES[field.data_type] || FLOAT_INDEXES;
    if (!params.metric_type) {
      if (params.index_type !== 'AUTOINDEX') throw paramsInvalid('metric type not set for vector index');
      params.metric_type = DEFAULT_METRIC[field.data_type];
    }
    const metrics = VECTOR_METRICS[field.data_type] || FLOAT_METRICS;
    if (!metrics.includes(params.metric_type.toUpperCase())) {
      if (field.data_type === 'SparseFloatVector') throw paramsInvalid('only IP is the supported metric type for sparse index');
      const kind = field.data_type === 'BinaryVector' ? 'binary' : 'float';
      throw paramsInvalid(`${kind} vector index does not support metric type: ${params.metric_type}`);
    }
    // checkTrain: an index type of another vector kind
    if (!kinds.includes(params.index_type.toUpperCase())) {
      throw paramsInvalid(`data type ${DATA_TYPE_NUMBERS[field.data_type]} can't build with this index ${params.index_type}`);
    }
  } else if (!params.index_type) {
    params.index_type = 'INVERTED';
  }
  if (params.params) {
    try {
      JSON.parse(params.params);
    } catch (err) {
      throw E.invalidParameter(`index params is not a valid json: ${params.params}`);
    }
  }
  return params;
}

function sameParams(a, b) {
  const keys = (o) => Object.keys(o).filter((k) => !k.startsWith('mmap.')).sort();
  return JSON.stringify(keys(a).map((k) => [k, a[k]])) === JSON.stringify(keys(b).map((k) => [k, b[k]]));
}

function createIndex(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const field = coll.schema.fields.find((f) => f.name === req.field_name);
  // a plain fmt.Errorf in the proxy's getIndexedField: code 65535
  if (!field) throw E.plain(`cannot create index on non-exist field: ${req.field_name}`);
  const params = indexParams(field, req.extra_params);
  const name = req.index_name || field.name;
  for (const idx of coll.indexes.values()) {
    if (idx.fieldName === field.name) {
      if (idx.indexName === name && sameParams(idx.params, params)) return ctx.ok();
      throw E.invalidParameter('at most one distinct index is allowed per field');
    }
    if (idx.indexName === name) throw E.indexDuplicate(name, `index name ${name} is used by field ${idx.fieldName}`);
  }
  const index = { indexName: name, fieldName: field.name, indexID: ctx.state.newId(), params };
  startIndexBuild(coll, index, ctx.config);
  coll.indexes.set(name, index);
  return ctx.ok();
}

function matching(coll, req) {
  const out = [...coll.indexes.values()].filter((idx) => (!req.field_name || idx.fieldName === req.field_name)
    && (!req.index_name || idx.indexName === req.index_name));
  if (out.length === 0) throw E.indexNotFound(coll.name);
  return out;
}

function description(ctx, coll, idx) {
  const view = indexView(coll, idx, ctx.config);
  return {
    index_name: idx.indexName,
    indexID: idx.indexID,
    params: objectToKv(idx.params),
    field_name: idx.fieldName,
    indexed_rows: String(view.indexedRows),
    total_rows: String(view.totalRows),
    state: view.state,
    index_state_fail_reason: '',
    pending_index_rows: String(view.pendingRows),
    min_index_version: 0,
    max_index_version: 0,
  };
}

function describeIndex(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  return { status: ctx.ok(), index_descriptions: matching(coll, req).map((idx) => description(ctx, coll, idx)) };
}

function dropIndex(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  if (coll.load.state !== 'LoadStateNotLoad') {
    throw E.invalidParameter('index cannot be dropped, collection is loaded, please release it first');
  }
  const victims = [...coll.indexes.values()].filter((idx) => (!req.index_name || idx.indexName === req.index_name)
    && (!req.field_name || idx.fieldName === req.field_name));
  for (const idx of victims) coll.indexes.delete(idx.indexName);
  return ctx.ok();
}

function alterIndex(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  const idx = coll.indexes.get(req.index_name);
  if (!idx) throw E.indexNotFound(coll.name, `index ${req.index_name} not found`);
  applyProperties(idx.params, req.extra_params, req.delete_keys);
  return ctx.ok();
}

function firstMatching(req, ctx) {
  const coll = ctx.state.getCollection(ctx, req.collection_name);
  return [coll, indexView(coll, matching(coll, req)[0], ctx.config)];
}

module.exports = {
  indexParams,
  handlers: {
    async CreateIndex(req, ctx) {
      return createIndex(req, ctx);
    },

    async DescribeIndex(req, ctx) {
      return describeIndex(req, ctx);
    },

    async GetIndexStatistics(req, ctx) {
      return describeIndex(req, ctx);
    },

    async DropIndex(req, ctx) {
      return dropIndex(req, ctx);
    },

    async AlterIndex(req, ctx) {
      return alterIndex(req, ctx);
    },

    async GetIndexState(req, ctx) {
      const [, view] = firstMatching(req, ctx);
      return { status: ctx.ok(), state: view.state, fail_reason: '' };
    },

    async GetIndexBuildProgress(req, ctx) {
      const [, view] = firstMatching(req, ctx);
      return { status: ctx.ok(), indexed_rows: String(view.indexedRows), total_rows: String(view.totalRows) };
    },
  },
};
