// SPDX-License-Identifier: Apache-2.0
'use strict';
// Time-driven progress of index builds and loads.  A timer moves the stored
// state to its final value on time (so modules that only read the state
// see it), and the views below interpolate in between.

const { fractionDone } = require('./util');

// Index states over --index-ms: Unissued for the first fifth, then
// InProgress with indexed_rows growing, then Finished.
const UNISSUED_SHARE = 0.2;

function startTimer(ms, fn) {
  const t = setTimeout(fn, Math.max(0, ms));
  t.unref();
  return t;
}

function startIndexBuild(coll, index, config) {
  index.createdAt = Date.now();
  index.state = config.indexBuildMs > 0 ? 'Unissued' : 'Finished';
  const generation = Symbol('build');
  index.generation = generation;
  if (config.indexBuildMs > 0) {
    startTimer(config.indexBuildMs, () => {
      if (index.generation === generation) index.state = 'Finished';
    });
  }
}

// { state, totalRows, indexedRows, pendingRows } of an index now.
function indexView(coll, index, config) {
  const total = coll.rows.size;
  if (index.state === 'Failed') return { state: 'Failed', totalRows: total, indexedRows: 0, pendingRows: total };
  const f = fractionDone(index.createdAt, config.indexBuildMs);
  if (f >= 1) index.state = 'Finished';
  if (index.state === 'Finished') return { state: 'Finished', totalRows: total, indexedRows: total, pendingRows: 0 };
  const state = f < UNISSUED_SHARE ? 'Unissued' : 'InProgress';
  index.state = state;
  const indexed = state === 'Unissued' ? 0 : Math.floor(total * f);
  return { state, totalRows: total, indexedRows: indexed, pendingRows: total - indexed };
}

function startLoad(coll, config, partitions) {
  const load = coll.load;
  const generation = Symbol('load');
  load.generation = generation;
  load.startedAt = Date.now();
  load.partitions = new Set(partitions || []);
  load.state = config.loadMs > 0 ? 'LoadStateLoading' : 'LoadStateLoaded';
  load.progress = config.loadMs > 0 ? 0 : 100;
  if (config.loadMs > 0) {
    startTimer(config.loadMs, () => {
      if (load.generation !== generation) return;
      load.state = 'LoadStateLoaded';
      load.progress = 100;
    });
  }
}

function release(coll) {
  coll.load.generation = null;
  coll.load.state = 'LoadStateNotLoad';
  coll.load.progress = 0;
  coll.load.partitions = new Set();
}

// Loading progress 0..100 now (0 when not loaded).
function loadProgress(coll, config) {
  const load = coll.load;
  if (load.state === 'LoadStateNotLoad') return 0;
  if (load.state === 'LoadStateLoaded') return 100;
  const p = Math.floor(fractionDone(load.startedAt, config.loadMs) * 100);
  if (p >= 100) {
    load.state = 'LoadStateLoaded';
    load.progress = 100;
    return 100;
  }
  load.progress = p;
  return p;
}

module.exports = { startIndexBuild, indexView, startLoad, release, loadProgress, startTimer };
