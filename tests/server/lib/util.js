// SPDX-License-Identifier: Apache-2.0
'use strict';
// Small helpers shared by the area modules.

// [{key, value}] -> {key: value}
function kvToObject(list) {
  const out = {};
  for (const kv of list || []) out[kv.key] = kv.value;
  return out;
}

// {key: value} -> [{key, value}]
function objectToKv(obj) {
  return Object.entries(obj || {}).map(([key, value]) => ({ key, value: String(value) }));
}

function applyProperties(target, set, deleteKeys) {
  for (const kv of set || []) target[kv.key] = kv.value;
  for (const key of deleteKeys || []) delete target[key];
}

// The hybrid timestamp's physical part (ms) as a string.
function utcOf(ts) {
  return (BigInt(ts) >> 18n).toString();
}

// Fraction of a job of `duration` ms started at `startedAt` that is done.
function fractionDone(startedAt, duration, now = Date.now()) {
  if (duration <= 0) return 1;
  return Math.max(0, Math.min(1, (now - startedAt) / duration));
}

module.exports = { kvToObject, objectToKv, applyProperties, utcOf, fractionDone };
