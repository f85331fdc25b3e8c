#!/bin/sh
// SPDX-License-Identifier: Apache-2.0
":" //; if command -v node >/dev/null 2>&1; then exec node "$0" "$@"; fi
":" //; if [ "${MILVUS_REQUIRE_PEERS:-0}" = 1 ]; then echo "1..1"; echo "not ok 1 - node not found"; exit 1; fi
":" //; echo "1..0 # SKIP node not found (apt-get install nodejs)"; exit 0
'use strict';
// Conformance of our Milvus wire schema (proto/*.proto) with upstream's, as
// shipped by the official Node SDK (@zilliz/milvus2-sdk-node, protobufjs JSON).
//
// Every message, field, enum value and service method we declare is looked
// up in the upstream schema by fully qualified name and compared on what
// travels on the wire: field numbers, scalar/enum/message types, repeated,
// packed, map key types; enum name -> number; method request/response types
// and streaming flags.  Names of fields may differ (protoc-c forces a few
// renames): those are reported as notes.  Upstream fields or enum values
// missing from a message/enum we keep are failures too.
//
// The SDK schema is older than upstream on one point: the export job state.
// Those few items are declared from upstream milvus-proto and listed in
// HAND_CHECKED with their upstream definition; they are compared against
// that definition, and against the SDK as soon as it has them.
//
// Runs under the TAP driver (`node tests/proto/conformance.js`); the lines
// above let it also run as a shell script when $(NODE) was not found.
// MILVUS_PROTO_DIR may point at another copy of the .proto files.

const path = require('path');
const fs = require('fs');

const requirePeers = process.env.MILVUS_REQUIRE_PEERS === '1';

function skipAll(reason) {
  if (requirePeers) {
    console.log('1..1');
    console.log(`not ok 1 - required peer missing: ${reason}`);
    process.exit(1);
  }
  console.log(`1..0 # SKIP ${reason}`);
  process.exit(0);
}

let protobuf;
let sdkJson;
try {
  protobuf = require('protobufjs');
} catch (e) {
  skipAll('npm module protobufjs not installed (run npm ci in the source tree)');
}
try {
  sdkJson = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus');
  sdkJson = sdkJson.default || sdkJson;
} catch (e) {
  skipAll('npm module @zilliz/milvus2-sdk-node not installed (run npm ci in the source tree)');
}

const SRCDIR = process.env.top_srcdir || path.join(__dirname, '..', '..');
const PROTO_DIR = process.env.MILVUS_PROTO_DIR || path.join(SRCDIR, 'proto');
const PROTO_FILES = ['common.proto', 'schema.proto', 'rg.proto', 'msg.proto', 'milvus.proto'];

// Items newer than the SDK's schema, checked by hand against upstream
// milvus-io/milvus-proto proto/milvus.proto (HEAD 9810b92).  Each entry is
// the upstream definition; ours must equal it.  Nothing else is exempt.
const M = '.milvus.proto.milvus.';
const HAND_CHECKED = [
  {
    kind: 'method', name: M + 'MilvusService.GetExportSnapshotState',
    def: { requestType: M + 'GetExportSnapshotStateRequest',
           responseType: M + 'GetExportSnapshotStateResponse',
           requestStream: false, responseStream: false },
  },
  {
    kind: 'message', name: M + 'GetExportSnapshotStateRequest',
    def: { 1: ['.milvus.proto.common.MsgBase'], 2: ['int64'] },
  },
  {
    kind: 'message', name: M + 'GetExportSnapshotStateResponse',
    def: { 1: ['.milvus.proto.common.Status'], 2: [M + 'ExportSnapshotInfo'] },
  },
  {
    kind: 'message', name: M + 'ExportSnapshotInfo',
    def: { 1: ['int64'], 2: ['string'], 3: ['string'], 4: ['string'],
           5: [M + 'ExportSnapshotState'], 6: ['int32'], 7: ['string'],
           8: ['uint64'], 9: ['uint64'], 10: ['int64'], 11: ['int64'],
           12: ['string'], 13: ['int64'] },
  },
  {
    kind: 'enum', name: M + 'ExportSnapshotState',
    def: { ExportSnapshotNone: 0, ExportSnapshotPending: 1, ExportSnapshotExecuting: 2,
           ExportSnapshotCompleted: 3, ExportSnapshotFailed: 4 },
  },
  {
    kind: 'field', name: M + 'ExportSnapshotResponse', id: 3,
    def: ['int64'],
  },
];

// ---- TAP -------------------------------------------------------------------
const results = [];
function check(desc, failures, diag) {
  results.push({ desc, failures, diag: diag || [] });
}
function report() {
  console.log(`1..${results.length}`);
  let bad = 0;
  results.forEach((r, i) => {
    const ok = r.failures.length === 0;
    if (!ok) bad++;
    console.log(`${ok ? 'ok' : 'not ok'} ${i + 1} - ${r.desc}`);
    for (const f of r.failures) console.log(`# FAIL ${f}`);
    for (const d of r.diag) console.log(`# ${d}`);
  });
  process.exitCode = bad ? 1 : 0;
}

// ---- loading ----------------------------------------------------------------
function loadOurs(dir) {
  const root = new protobuf.Root();
  // Imports are bare file names, as with protoc-c -I proto.
  root.resolvePath = (origin, target) => (path.isAbsolute(target) ? target : path.join(dir, target));
  root.loadSync(PROTO_FILES, { keepCase: true });
  root.resolveAll();
  return root;
}

function loadUpstream() {
  const root = protobuf.Root.fromJSON(sdkJson);
  root.resolveAll();
  return root;
}

// All messages, enums and services below the milvus.proto packages.
function collect(root) {
  const out = { messages: new Map(), enums: new Map(), services: new Map() };
  (function walk(ns) {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Type) out.messages.set(o.fullName, o);
      else if (o instanceof protobuf.Enum) out.enums.set(o.fullName, o);
      else if (o instanceof protobuf.Service) out.services.set(o.fullName, o);
      if (o.nestedArray && !(o instanceof protobuf.Service)) walk(o);
    }
  })(root);
  for (const m of [out.messages, out.enums, out.services]) {
    for (const k of [...m.keys()]) if (!k.startsWith('.milvus.proto.')) m.delete(k);
  }
  return out;
}

// ---- the comparator ------------------------------------------------------------
function typeName(f) {
  return f.resolvedType ? f.resolvedType.fullName : f.type;
}
function isScalar(f) {
  return !f.resolvedType || f.resolvedType instanceof protobuf.Enum;
}
function describeField(f) {
  const parts = [];
  if (f.map) parts.push(`map<${f.keyType}, ${typeName(f)}>`);
  else parts.push((f.repeated ? 'repeated ' : '') + typeName(f));
  if (f.repeated && !f.map && isScalar(f)) parts.push(f.packed ? '[packed]' : '[unpacked]');
  return parts.join(' ');
}
// The wire-relevant shape of a field, as a string: two fields with the same
// number encode the same way iff these are equal.
function fieldShape(f) {
  return describeField(f);
}

function handEntry(kind, name, id) {
  return HAND_CHECKED.find((h) => h.kind === kind && h.name === name && (id === undefined || h.id === id));
}

// Ours vs upstream.  Returns failures, notes and counts.
function compare(ours, up) {
  const failures = [];
  const notes = [];
  const handUsed = [];
  const n = { messages: 0, fields: 0, enums: 0, enumValues: 0, services: 0, methods: 0, hand: 0 };

  for (const [name, t] of ours.messages) {
    const u = up.messages.get(name);
    if (!u) {
      const h = handEntry('message', name);
      if (!h) { failures.push(`message ${name}: not in the upstream schema`); continue; }
      handUsed.push(`message ${name}`);
      n.hand++;
      compareHandMessage(name, t, h.def, failures);
      continue;
    }
    n.messages++;
    for (const f of t.fieldsArray) {
      const uf = u.fieldsById[f.id];
      if (!uf) {
        const h = handEntry('field', name, f.id);
        if (!h) { failures.push(`field ${name}.${f.name} = ${f.id}: no field ${f.id} upstream`); continue; }
        handUsed.push(`field ${name}.${f.name} = ${f.id}`);
        n.hand++;
        if (describeField(f) !== h.def[0]) failures.push(`field ${name}.${f.name} = ${f.id}: ours is ${describeField(f)}, upstream (hand-checked) is ${h.def[0]}`);
        continue;
      }
      n.fields++;
      if (fieldShape(f) !== fieldShape(uf)) {
        failures.push(`field ${name}.${f.name} = ${f.id}: ours is ${describeField(f)}, upstream ${uf.name} is ${describeField(uf)}`);
      }
      if (f.name !== uf.name) notes.push({ message: name, id: f.id, ours: f.name, theirs: uf.name });
    }
    for (const uf of u.fieldsArray) {
      if (!t.fieldsById[uf.id]) failures.push(`field ${name}.${uf.name} = ${uf.id} (${describeField(uf)}): upstream has it, ours does not`);
    }
    // A hand-checked field that upstream now has: it must match the hand-checked definition too.
    for (const h of HAND_CHECKED) {
      if (h.kind === 'field' && h.name === name && u.fieldsById[h.id] && describeField(u.fieldsById[h.id]) !== h.def[0]) {
        failures.push(`field ${name} = ${h.id}: upstream SDK now defines it as ${describeField(u.fieldsById[h.id])}, the hand-checked list says ${h.def[0]}`);
      }
    }
    const hm = handEntry('message', name);
    if (hm) compareHandMessage(name, u, hm.def, failures, 'upstream SDK now defines it differently from the hand-checked list');
  }

  for (const [name, e] of ours.enums) {
    const u = up.enums.get(name);
    if (!u) {
      const h = handEntry('enum', name);
      if (!h) { failures.push(`enum ${name}: not in the upstream schema`); continue; }
      handUsed.push(`enum ${name}`);
      n.hand++;
      compareEnumValues(name, e.values, h.def, failures, '(hand-checked) ');
      continue;
    }
    n.enums++;
    n.enumValues += Object.keys(e.values).length;
    compareEnumValues(name, e.values, u.values, failures, '');
    const he = handEntry('enum', name);
    if (he) compareEnumValues(name, u.values, he.def, failures, 'upstream SDK vs hand-checked: ');
  }

  for (const [name, s] of ours.services) {
    const u = up.services.get(name);
    if (!u) { failures.push(`service ${name}: not in the upstream schema`); continue; }
    n.services++;
    for (const m of s.methodsArray) {
      const full = `${name}.${m.name}`;
      const mine = methodShape(m);
      const um = u.methods[m.name];
      const h = handEntry('method', full);
      if (!um) {
        if (!h) { failures.push(`method ${full}: not in the upstream service`); continue; }
        handUsed.push(`method ${full}`);
        n.hand++;
        const want = JSON.stringify(h.def);
        if (JSON.stringify(mine) !== want) failures.push(`method ${full}: ours is ${JSON.stringify(mine)}, upstream (hand-checked) is ${want}`);
        continue;
      }
      n.methods++;
      const theirs = methodShape(um);
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
        failures.push(`method ${full}: ours is ${JSON.stringify(mine)}, upstream is ${JSON.stringify(theirs)}`);
      }
      if (h && JSON.stringify(theirs) !== JSON.stringify(h.def)) {
        failures.push(`method ${full}: upstream SDK now defines it as ${JSON.stringify(theirs)}, the hand-checked list says ${JSON.stringify(h.def)}`);
      }
    }
  }
  return { failures, notes, handUsed, n };
}

function methodShape(m) {
  return {
    requestType: m.resolvedRequestType.fullName,
    responseType: m.resolvedResponseType.fullName,
    requestStream: !!m.requestStream,
    responseStream: !!m.responseStream,
  };
}

function compareHandMessage(name, t, def, failures, why) {
  const label = why || 'hand-checked upstream definition';
  const ids = new Set(Object.keys(def).map(Number));
  for (const f of t.fieldsArray) {
    if (!ids.has(f.id)) failures.push(`message ${name}: field ${f.name} = ${f.id} is not in the ${label}`);
    else if (describeField(f) !== def[f.id][0]) failures.push(`message ${name}: field ${f.name} = ${f.id} is ${describeField(f)}, ${label}: ${def[f.id][0]}`);
  }
  for (const id of ids) if (!t.fieldsById[id]) failures.push(`message ${name}: field ${id} (${def[id][0]}) missing (${label})`);
}

function compareEnumValues(name, mine, theirs, failures, prefix) {
  for (const [k, v] of Object.entries(mine)) {
    if (!(k in theirs)) failures.push(`${prefix}enum ${name}: value ${k} = ${v} not upstream`);
    else if (theirs[k] !== v) failures.push(`${prefix}enum ${name}: ${k} is ${v} here, ${theirs[k]} upstream`);
  }
  for (const [k, v] of Object.entries(theirs)) {
    if (!(k in mine)) failures.push(`${prefix}enum ${name}: upstream value ${k} = ${v} missing`);
  }
}

// ---- self-check: the comparator must see deliberate mutations -----------------
// Each mutation edits a JSON copy of our root; the comparator must then
// report a failure naming the mutated item.
const MUTATIONS = [
  {
    what: 'field number changed (SearchRequest.nq 12 -> 99)',
    apply: (j) => { nested(j, 'milvus.proto.milvus.SearchRequest').fields.nq.id = 99; },
    expect: /SearchRequest\.nq = 99/,
  },
  {
    what: 'field type changed (schema.FieldData.field_id int64 -> int32)',
    apply: (j) => { nested(j, 'milvus.proto.schema.FieldData').fields.field_id.type = 'int32'; },
    expect: /FieldData\.field_id = 5: ours is int32/,
  },
  {
    what: 'repeated field made singular (schema.LongArray.data)',
    apply: (j) => { delete nested(j, 'milvus.proto.schema.LongArray').fields.data.rule; },
    expect: /LongArray\.data = 1: ours is int64/,
  },
  {
    what: 'field dropped (common.Status.code)',
    apply: (j) => { delete nested(j, 'milvus.proto.common.Status').fields.code; },
    expect: /Status\.code = 3 .*upstream has it/,
  },
  {
    what: 'enum value changed (common.ErrorCode.UnexpectedError 1 -> 7777)',
    apply: (j) => { nested(j, 'milvus.proto.common.ErrorCode').values.UnexpectedError = 7777; },
    expect: /ErrorCode: UnexpectedError is 7777/,
  },
  {
    what: 'method response type changed (Search -> QueryResults)',
    apply: (j) => { nested(j, 'milvus.proto.milvus.MilvusService').methods.Search.responseType = 'QueryResults'; },
    expect: /method \.milvus\.proto\.milvus\.MilvusService\.Search:/,
  },
  {
    what: 'hand-checked field changed (ExportSnapshotInfo.total_bytes int64 -> string)',
    apply: (j) => { nested(j, 'milvus.proto.milvus.ExportSnapshotInfo').fields.total_bytes.type = 'string'; },
    expect: /ExportSnapshotInfo: field total_bytes = 13 is string/,
  },
  {
    what: 'unknown message added',
    apply: (j) => { nested(j, 'milvus.proto.milvus').nested.NotUpstream = { fields: { a: { type: 'int32', id: 1 } } }; },
    expect: /NotUpstream: not in the upstream schema/,
  },
  // The SDK gains a hand-checked item with another definition: must fail.
  {
    what: 'SDK defines ExportSnapshotInfo differently from the hand-checked list',
    side: 'upstream',
    apply: (j) => {
      nested(j, 'milvus.proto.milvus').nested.ExportSnapshotInfo = {
        fields: { job_id: { type: 'int32', id: 1 } } };
    },
    expect: /ExportSnapshotInfo: field job_id = 1 is int32, upstream SDK now defines it differently/,
  },
  {
    what: 'SDK defines ExportSnapshotResponse.job_id = 3 as string',
    side: 'upstream',
    apply: (j) => {
      nested(j, 'milvus.proto.milvus.ExportSnapshotResponse').fields.job_id = { type: 'string', id: 3 };
    },
    expect: /ExportSnapshotResponse\.job_id = 3: ours is int64, upstream job_id is string/,
  },
  {
    what: 'SDK defines GetExportSnapshotState with another response type',
    side: 'upstream',
    apply: (j) => {
      nested(j, 'milvus.proto.milvus.MilvusService').methods.GetExportSnapshotState = {
        requestType: 'ExportSnapshotRequest', responseType: 'common.Status' };
    },
    expect: /GetExportSnapshotState: upstream SDK now defines it/,
  },
  {
    what: 'SDK defines ExportSnapshotState with another value',
    side: 'upstream',
    apply: (j) => {
      nested(j, 'milvus.proto.milvus').nested.ExportSnapshotState = { values: {
        ExportSnapshotNone: 0, ExportSnapshotPending: 1, ExportSnapshotExecuting: 2,
        ExportSnapshotCompleted: 3, ExportSnapshotFailed: 5 } };
    },
    expect: /ExportSnapshotState: ExportSnapshotFailed is 4 here, 5 upstream/,
  },
];

function nested(j, dotted) {
  let o = j;
  for (const part of dotted.split('.')) {
    o = o.nested[part];
    if (!o) throw new Error(`self-check: ${dotted} not found in our schema`);
  }
  return o;
}

// ---- main -----------------------------------------------------------------
function main() {
  let ours;
  let up;
  try {
    ours = loadOurs(PROTO_DIR);
    check(`our schema loads and resolves (${PROTO_FILES.join(' ')} in ${PROTO_DIR})`, []);
  } catch (e) {
    check('our schema loads and resolves', [String(e && e.message ? e.message : e)]);
    return report();
  }
  try {
    up = loadUpstream();
    check('upstream schema (Node SDK proto-json) loads and resolves', []);
  } catch (e) {
    check('upstream schema (Node SDK proto-json) loads and resolves', [String(e && e.message ? e.message : e)]);
    return report();
  }

  const mine = collect(ours);
  const theirs = collect(up);
  const r = compare(mine, theirs);
  const by = (re) => r.failures.filter((f) => re.test(f));
  const isEnum = /^(\S+ )?enum |^upstream SDK vs hand-checked: enum /;
  const isService = /^(service|method) /;
  check(`enums match upstream (${r.n.enums} enums, ${r.n.enumValues} values)`, by(isEnum));
  check(`service methods match upstream (${r.n.services} services, ${r.n.methods} methods)`, by(isService));
  // Everything else is about messages and fields.
  check(`messages and fields match upstream (${r.n.messages} messages, ${r.n.fields} fields)`,
    r.failures.filter((f) => !isEnum.test(f) && !isService.test(f)));

  // The hand-checked list must be exactly what the SDK lacks: an entry that
  // is not used (ours lacks it, or the SDK now has it) is listed as a note;
  // an entry missing from ours is a failure.
  const handFail = [];
  for (const h of HAND_CHECKED) {
    const present = h.kind === 'method'
      ? (() => { const i = h.name.lastIndexOf('.'); const s = mine.services.get(h.name.slice(0, i)); return !!(s && s.methods[h.name.slice(i + 1)]); })()
      : h.kind === 'enum' ? mine.enums.has(h.name)
        : h.kind === 'field' ? !!(mine.messages.get(h.name) && mine.messages.get(h.name).fieldsById[h.id])
          : mine.messages.has(h.name);
    if (!present) handFail.push(`hand-checked ${h.kind} ${h.name}${h.id ? ' = ' + h.id : ''} is not declared in our schema`);
  }
  check(`hand-checked items newer than the SDK schema (${r.handUsed.length} of ${HAND_CHECKED.length} not in the SDK)`,
    handFail, r.handUsed.map((x) => `hand-checked against upstream milvus-proto: ${x}`));

  // Renames (numbers travel, names do not): one note line per kind of rename.
  const renames = new Map();
  for (const x of r.notes) {
    const k = `field ${x.id} is named ${x.ours} here, ${x.theirs} upstream`;
    if (!renames.has(k)) renames.set(k, []);
    renames.get(k).push(x.message.replace(/^\.milvus\.proto\./, ''));
  }
  for (const [k, list] of renames) console.log(`# note: ${k}, in ${list.length} messages: ${list.join(' ')}`);

  // Self-check on mutated copies (of ours, or of the SDK's schema).
  const oursJson = ours.toJSON();
  for (const mut of MUTATIONS) {
    const fails = [];
    try {
      const j = JSON.parse(JSON.stringify(mut.side === 'upstream' ? sdkJson : oursJson));
      mut.apply(j);
      const mroot = protobuf.Root.fromJSON(j);
      mroot.resolveAll();
      const mr = mut.side === 'upstream' ? compare(mine, collect(mroot)) : compare(collect(mroot), theirs);
      if (!mr.failures.some((f) => mut.expect.test(f))) {
        fails.push(`comparator did not report it; it reported: ${mr.failures.slice(0, 5).join(' | ') || 'nothing'}`);
      }
    } catch (e) {
      fails.push(`mutation could not be applied: ${e.message}`);
    }
    check(`self-check: ${mut.what} is detected`, fails);
  }

  console.log(`# compared ${r.n.messages} messages, ${r.n.fields} fields, ${r.n.enums} enums (${r.n.enumValues} values), ` +
    `${r.n.methods} methods in ${r.n.services} services; ${r.n.hand} hand-checked items; ${r.notes.length} name notes`);
  return report();
}

main();
