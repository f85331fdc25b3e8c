#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
'use strict';
// compare.js: holds libmilvus's requests against the official Go client's.
//
//   node compare.js GO.rec C.rec allow.txt [--tap START] [--labels A,B]
//
// The first recording is the oracle's: the official Go client's for
// script.txt, pymilvus's for script-snapshot.txt (golden.sh runs it with
// --labels py,c and allow-snapshot.txt).  --labels names the two sides in
// the output and in the !A-only / !B-only paths (default go,c); the rest of
// this comment says go and c.
//
// The two recordings come from tests/golden/capture (one JSON object a
// line: operation markers and requests).  Per operation of script.txt (the
// markers must be the same in both), the requests are paired in order
// (when the method sequences differ, by their longest common subsequence,
// the pairing with the fewest differences among equally long ones; a
// request only one client sent is a difference "!go-only" / "!c-only"),
// each pair is decoded with the upstream request type of its method (the
// protobufjs JSON of @zilliz/milvus2-sdk-node) and compared field by field:
//   - proto3 scalars: an absent field equals its default; members of a
//     oneof (and proto3 optional fields) and sub-messages: presence counts;
//   - repeated fields element by element, except repeated KeyValuePair
//     (compared as a map by key: the Go client builds them from Go maps, in
//     random order) and repeated FieldData (matched by field_name, the
//     dynamic field as [$dynamic] whatever its name: the Go client's insert
//     columns come from a Go map too);
//   - two strings holding the same JSON value in different text (number
//     formatting, key order) are a note, not a difference;
//   - bytes holding a serialized message are decoded and compared in turn
//     (CreateCollectionRequest.schema, SearchRequest.placeholder_group);
//   - fields the schema does not know are compared by number and raw value;
//   - metadata: every header but the pseudo headers :method/:scheme/:path,
//     by name (values in order); the port in :authority and the value of
//     client-request-unixmsec (a clock) are normalized first.
// Paths look like Insert/Insert fields_data[title].scalars.string_data.data[0]
// (operation/method, then the field path) and @user-agent for a header.
//
// allow.txt: one intentional difference a line, "SCOPE PATH REASON":
// SCOPE is METHOD or OP/METHOD, PATH a field path, @header or !go-only /
// !c-only; both may use * (any run of characters).  A REASON starting with
// "BUG:" marks a suspected libmilvus bug kept visible but not failing.
// Every other difference fails.  Exit status: 0 all allowed, 1 a
// difference failed, 2 bad input.
//
// With --tap START it prints one TAP line per operation, numbered from
// START, with the failing differences, the allowed ones marked BUG: and the
// notes as # comments (for golden.sh); otherwise a report for people with
// every allowed difference too.  Both end with the summary.

const fs = require('fs');
const path = require('path');

function requireFromProject(name) {
  try {
    return require(name);
  } catch (e) {
    // tests/golden/ -> the source tree's node_modules
    return require(path.join(__dirname, '..', '..', 'node_modules', name));
  }
}
const protobuf = requireFromProject('protobufjs');

const SDK_JSON = '@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js';
const SERVICE = 'milvus.proto.milvus.MilvusService';

// bytes fields that carry a serialized message: "Type.field" -> type
const NESTED_BYTES = {
  'milvus.proto.milvus.CreateCollectionRequest.schema': 'milvus.proto.schema.CollectionSchema',
  'milvus.proto.milvus.AddCollectionFieldRequest.schema': 'milvus.proto.schema.FieldSchema',
  'milvus.proto.milvus.SearchRequest.placeholder_group': 'milvus.proto.common.PlaceholderGroup',
};
// repeated message fields matched by a key field instead of by position
const KEYED = {
  'milvus.proto.common.KeyValuePair': 'key',
  'milvus.proto.schema.FieldData': 'field_name',
};
const PSEUDO_SKIPPED = new Set([':method', ':scheme', ':path']);

// ---- input -------------------------------------------------------------------

function readRecording(file) {
  const ops = [];
  let current = null;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    let entry;
    try {
      entry = JSON.parse(lines[i]);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON: ${e.message}`);
    }
    if (entry.op !== undefined) {
      current = { op: entry.op, requests: [] };
      ops.push(current);
    } else if (entry.method !== undefined) {
      if (!current) throw new Error(`${file}:${i + 1}: a request before the first marker`);
      current.requests.push({
        method: entry.method.slice(entry.method.lastIndexOf('/') + 1),
        fullMethod: entry.method,
        headers: entry.headers || [],
        headersError: entry.headers_error,
        bytes: Buffer.from(entry.request || '', 'base64'),
      });
    }
  }
  return ops;
}

function globRegex(glob) {
  const re = glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${re}$`);
}

function readAllow(file) {
  const entries = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected "SCOPE PATH REASON"`);
    const scope = m[1].includes('/') ? m[1] : `*/${m[1]}`;
    entries.push({
      line: i + 1, text: line, scope: globRegex(scope), path: globRegex(m[2]),
      reason: m[3], used: 0,
    });
  }
  return entries;
}

// ---- rendering -----------------------------------------------------------------

const ABSENT = '<absent>';

function renderBytes(buf) {
  if (!buf || buf.length === 0) return '""';
  const text = buf.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(buf) && /^[\x20-\x7e\t\n\r]*$/.test(text)) {
    return JSON.stringify(text);
  }
  return `0x${buf.toString('hex')}`;
}

function renderScalar(field, v) {
  if (v === ABSENT) return ABSENT;
  if (field.resolvedType instanceof protobuf.Enum) {
    const name = field.resolvedType.valuesById[v];
    return name ? `${name}(${v})` : String(v);
  }
  if (field.type === 'bytes') return renderBytes(Buffer.from(v));
  if (typeof v === 'string') return JSON.stringify(v);
  if (v && typeof v === 'object' && typeof v.toString === 'function') return v.toString(); // Long
  return String(v);
}

function renderMessage(type, msg) {
  const obj = type.toObject(msg, { longs: String, enums: String, bytes: String, defaults: false });
  const text = JSON.stringify(obj);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

// ---- field-by-field comparison --------------------------------------------------

function defaultOf(field) {
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  switch (field.type) {
    case 'string': return '';
    case 'bool': return false;
    case 'bytes': return Buffer.alloc(0);
    default: return 0;
  }
}

function sameScalar(field, a, b) {
  if (a === ABSENT || b === ABSENT) return a === b;
  if (field.type === 'bytes') return Buffer.from(a).equals(Buffer.from(b));
  if (typeof a === 'object' || typeof b === 'object') return String(a) === String(b); // Long
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return true;
  return a === b;
}

function has(msg, field) {
  return msg != null && Object.prototype.hasOwnProperty.call(msg, field.name) && msg[field.name] != null;
}

class Comparer {
  constructor(root) {
    this.root = root;
    this.fields = 0;
    this.diffs = []; // {path, go, c}
    this.notes = []; // {path, go, c}: same JSON value, different text
  }

  diff(p, go, c) {
    this.diffs.push({ path: p, go, c });
  }

  join(prefix, name) {
    return prefix ? `${prefix}.${name}` : name;
  }

  message(type, a, b, prefix) {
    for (const field of type.fieldsArray) {
      field.resolve();
      this.field(type, field, a, b, this.join(prefix, field.name));
    }
  }

  field(type, field, a, b, p) {
    const msgType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
    if (field.map) {
      const ma = has(a, field) ? a[field.name] : {};
      const mb = has(b, field) ? b[field.name] : {};
      const keys = [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort();
      for (const k of keys) this.value(field, msgType, k in ma ? ma[k] : ABSENT,
        k in mb ? mb[k] : ABSENT, `${p}[${k}]`, true);
      return;
    }
    if (field.repeated) {
      const la = has(a, field) ? a[field.name] : [];
      const lb = has(b, field) ? b[field.name] : [];
      const keyName = msgType && KEYED[msgType.fullName.replace(/^\./, '')];
      if (keyName) {
        this.keyed(field, msgType, keyName, la, lb, p);
        return;
      }
      const n = Math.max(la.length, lb.length);
      if (n === 0) this.fields++;
      for (let i = 0; i < n; i++) {
        this.value(field, msgType, i < la.length ? la[i] : ABSENT, i < lb.length ? lb[i] : ABSENT,
          `${p}[${i}]`, true);
      }
      return;
    }
    const presence = msgType || field.partOf; // sub-messages, oneof members, proto3 optional
    const va = has(a, field) ? a[field.name] : (presence ? ABSENT : defaultOf(field));
    const vb = has(b, field) ? b[field.name] : (presence ? ABSENT : defaultOf(field));
    const nested = NESTED_BYTES[`${type.fullName.replace(/^\./, '')}.${field.name}`];
    if (nested && va !== ABSENT && vb !== ABSENT && va.length && vb.length) {
      const t = this.root.lookupType(nested);
      let da; let db;
      try {
        da = t.decode(va);
        db = t.decode(vb);
      } catch (e) {
        this.value(field, null, va, vb, p, false);
        return;
      }
      this.message(t, da, db, p);
      this.unknown(t, Buffer.from(va), Buffer.from(vb), p);
      return;
    }
    this.value(field, msgType, va, vb, p, false);
  }

  keyed(field, msgType, keyName, la, lb, p) {
    const index = (list) => {
      const m = new Map();
      for (const item of list) {
        let k = item[keyName] == null ? '' : String(item[keyName]);
        if (keyName === 'field_name' && item.is_dynamic) k = '$dynamic';
        if (!m.has(k)) m.set(k, []);
        m.get(k).push(item);
      }
      return m;
    };
    const ia = index(la);
    const ib = index(lb);
    const keys = [...new Set([...ia.keys(), ...ib.keys()])].sort();
    if (keys.length === 0) this.fields++;
    for (const k of keys) {
      const xa = ia.get(k) || [];
      const xb = ib.get(k) || [];
      for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
        const suffix = i ? `#${i + 1}` : '';
        this.value(field, msgType, i < xa.length ? xa[i] : ABSENT, i < xb.length ? xb[i] : ABSENT,
          `${p}[${k}${suffix}]`, true);
      }
    }
  }

  value(field, msgType, va, vb, p, element) {
    if (msgType) {
      if (va === ABSENT || vb === ABSENT) {
        this.fields++;
        if (va !== vb) {
          this.diff(p, va === ABSENT ? ABSENT : renderMessage(msgType, va),
            vb === ABSENT ? ABSENT : renderMessage(msgType, vb));
        }
        return;
      }
      this.message(msgType, va, vb, p);
      return;
    }
    if (element && field.type === 'bytes' && field.name === 'values' && va !== ABSENT && vb !== ABSENT) {
      // PlaceholderValue.values: vectors; show floats when they are float32s
      this.fields++;
      if (!Buffer.from(va).equals(Buffer.from(vb))) this.diff(p, renderFloats(va), renderFloats(vb));
      return;
    }
    this.fields++;
    if (sameScalar(field, va, vb)) return;
    if (field.type === 'string' && sameJson(va, vb)) {
      this.notes.push({ path: p, go: renderScalar(field, va), c: renderScalar(field, vb) });
      return;
    }
    this.diff(p, renderScalar(field, va), renderScalar(field, vb));
  }

  // Fields on the wire the schema does not know (protobufjs drops them).
  unknown(type, ba, bb, prefix) {
    const ua = unknownFields(type, ba, prefix);
    const ub = unknownFields(type, bb, prefix);
    const keys = [...new Set([...ua.keys(), ...ub.keys()])].sort();
    for (const k of keys) {
      this.fields++;
      const va = ua.has(k) ? ua.get(k) : ABSENT;
      const vb = ub.has(k) ? ub.get(k) : ABSENT;
      if (va !== vb) this.diff(k, va, vb);
    }
  }
}

// Two strings that both hold a JSON object or array with the same value.
function sameJson(a, b) {
  if (typeof a !== 'string' || typeof b !== 'string' || !/^\s*[[{]/.test(a) || !/^\s*[[{]/.test(b)) {
    return false;
  }
  let ja; let jb;
  try {
    ja = JSON.parse(a);
    jb = JSON.parse(b);
  } catch (e) {
    return false;
  }
  const canon = (v) => {
    if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
    if (v && typeof v === 'object') {
      return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return canon(ja) === canon(jb);
}

function renderFloats(v) {
  const buf = Buffer.from(v);
  if (buf.length % 4 !== 0 || buf.length === 0) return renderBytes(buf);
  const out = [];
  for (let i = 0; i < buf.length; i += 4) out.push(buf.readFloatLE(i));
  return `float32[${out.join(',')}]`;
}

// path -> "wiretype:hex" for every field number the schema lacks, walking
// into known sub-messages.
function unknownFields(type, buf, prefix, out = new Map()) {
  const r = protobuf.Reader.create(buf);
  const seen = {};
  try {
    while (r.pos < r.len) {
      const start = r.pos;
      const tag = r.uint32();
      const id = tag >>> 3;
      const wt = tag & 7;
      const field = type.fieldsById[id];
      if (!field) {
        const from = r.pos;
        r.skipType(wt);
        const key = `${prefix ? `${prefix}.` : ''}#${id}`;
        const prev = out.get(key);
        const val = `${wt}:${buf.slice(from, r.pos).toString('hex')}`;
        out.set(key, prev ? `${prev} ${val}` : val);
        continue;
      }
      field.resolve();
      const n = seen[id] = (seen[id] || 0) + 1;
      if (field.resolvedType instanceof protobuf.Type && wt === 2 && !field.map) {
        const sub = r.bytes();
        const p = `${prefix ? `${prefix}.` : ''}${field.name}${field.repeated ? `[${n - 1}]` : ''}`;
        unknownFields(field.resolvedType, Buffer.from(sub), p, out);
      } else {
        r.pos = start;
        r.uint32();
        r.skipType(wt);
      }
    }
  } catch (e) {
    out.set(`${prefix ? `${prefix}.` : ''}<undecodable>`, e.message);
  }
  return out;
}

// ---- metadata ---------------------------------------------------------------------

function normalizeHeader(name, value) {
  if (name === ':authority') return value.replace(/:\d+$/, ':PORT');
  if (name === 'client-request-unixmsec' && /^\d+$/.test(value)) return '<unixmsec>';
  return value;
}

function compareHeaders(cmp, ha, hb) {
  const group = (list) => {
    const m = new Map();
    for (const [k, v] of list) {
      if (PSEUDO_SKIPPED.has(k)) continue;
      if (!m.has(k)) m.set(k, []);
      m.get(k).push(normalizeHeader(k, v));
    }
    return m;
  };
  const ga = group(ha);
  const gb = group(hb);
  const keys = [...new Set([...ga.keys(), ...gb.keys()])].sort();
  for (const k of keys) {
    cmp.fields++;
    const va = ga.has(k) ? ga.get(k).map((v) => JSON.stringify(v)).join(', ') : ABSENT;
    const vb = gb.has(k) ? gb.get(k).map((v) => JSON.stringify(v)).join(', ') : ABSENT;
    if (va !== vb) cmp.diff(`@${k}`, va, vb);
  }
}

// ---- pairing ----------------------------------------------------------------------

// Pairs the requests of one operation in order: as many pairs of the same
// method as possible (a longest common subsequence), and among those the
// pairing with the fewest differences (score(i, j) = number of differences
// of that pair).  Returns [[i, j], ...] with -1 for an unpaired side.
function align(a, b, score) {
  const n = a.length;
  const m = b.length;
  const W = 1e6; // a pair always outweighs any number of differences
  const S = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  const gain = (i, j) => (a[i].method === b[j].method ? W - score(i, j) : -Infinity);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      S[i][j] = Math.max(S[i + 1][j], S[i][j + 1], gain(i, j) + S[i + 1][j + 1]);
    }
  }
  const steps = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && gain(i, j) + S[i + 1][j + 1] === S[i][j]) {
      steps.push([i++, j++]);
    } else if (j >= m || (i < n && S[i + 1][j] === S[i][j])) {
      steps.push([i++, -1]);
    } else {
      steps.push([-1, j++]);
    }
  }
  return steps;
}

// Compares one pair of requests of the same method: headers, then the
// decoded message field by field, then fields the schema does not know.
function compareRequest(root, service, ga, cb) {
  const cmp = new Comparer(root);
  for (const r of [ga, cb]) {
    if (r.headersError) {
      cmp.diff('@<headers>', r === ga ? r.headersError : 'ok', r === cb ? r.headersError : 'ok');
    }
  }
  compareHeaders(cmp, ga.headers, cb.headers);
  const m = service.methods[ga.method];
  if (!m) {
    cmp.fields++;
    if (!ga.bytes.equals(cb.bytes)) cmp.diff('<bytes>', renderBytes(ga.bytes), renderBytes(cb.bytes));
    return cmp;
  }
  m.resolve();
  const type = m.resolvedRequestType;
  let da; let db;
  try {
    da = type.decode(ga.bytes);
    db = type.decode(cb.bytes);
  } catch (e) {
    cmp.diff('<decode>', renderBytes(ga.bytes), `${renderBytes(cb.bytes)} (${e.message})`);
    return cmp;
  }
  cmp.message(type, da, db, '');
  cmp.unknown(type, ga.bytes, cb.bytes, '');
  return cmp;
}

// ---- main -------------------------------------------------------------------------

function main(argv) {
  const args = argv.slice(2);
  let tapStart = 0;
  const ti = args.indexOf('--tap');
  if (ti >= 0) {
    tapStart = parseInt(args[ti + 1], 10);
    args.splice(ti, 2);
  }
  let labels = ['go', 'c'];
  const li = args.indexOf('--labels');
  if (li >= 0) {
    labels = String(args[li + 1] || '').split(',');
    args.splice(li, 2);
  }
  const badLabels = labels.length !== 2 || labels.some((l) => !/^[A-Za-z0-9_]+$/.test(l)) ||
    labels[0] === labels[1];
  if (args.length !== 3 || (ti >= 0 && !(tapStart > 0)) || badLabels) {
    process.stderr.write('usage: node compare.js GO.rec C.rec allow.txt [--tap START] [--labels A,B]\n');
    return 2;
  }
  const [LA, LB] = labels;
  const allowName = path.basename(args[2]);
  let goOps; let cOps; let allow;
  try {
    goOps = readRecording(args[0]);
    cOps = readRecording(args[1]);
    allow = readAllow(args[2]);
  } catch (e) {
    process.stderr.write(`compare.js: ${e.message}\n`);
    return 2;
  }
  const root = protobuf.Root.fromJSON(requireFromProject(SDK_JSON).default);
  const service = root.lookupService(SERVICE);

  const out = [];
  const say = (line) => out.push(line);
  const tap = tapStart > 0;
  const note = (line) => say(tap ? `# ${line}` : line);
  const totals = {
    requests: 0, fields: 0, allowed: 0, bugs: 0, failed: 0, encodingOnly: 0, jsonText: 0, ops: 0, opsFailed: 0,
  };

  const goNames = goOps.map((o) => o.op).join(' ');
  const cNames = cOps.map((o) => o.op).join(' ');
  if (goNames !== cNames) {
    process.stderr.write('compare.js: the recordings ran different scripts:\n' +
      `  ${LA}: ${goNames}\n  ${LB}: ${cNames}\n`);
    return 2;
  }

  const matchAllow = (op, method, p) => {
    const scope = `${op}/${method}`;
    return allow.find((e) => e.scope.test(scope) && e.path.test(p));
  };

  goOps.forEach((goOp, k) => {
    const cOp = cOps[k];
    const op = goOp.op;
    const lines = [];
    let failed = 0;
    let allowedHere = 0;
    let bugsHere = 0;
    const report = (method, d) => {
      const entry = matchAllow(op, method, d.path);
      const where = `${op}/${method} ${d.path}`;
      if (entry) {
        entry.used++;
        allowedHere++;
        totals.allowed++;
        const bug = /^BUG:/.test(entry.reason);
        if (bug) {
          bugsHere++;
          totals.bugs++;
        }
        // TAP output shows the allowed differences only when they are
        // suspected bugs; the report for people shows them all.
        if (bug || !tap) lines.push(`  ${bug ? 'BUG    ' : 'allowed'} ${where}: ${LA} ${d.go} | ${LB} ${d.c}  -- ${entry.reason}`);
      } else {
        failed++;
        totals.failed++;
        lines.push(`  DIFF    ${where}: ${LA} ${d.go} | ${LB} ${d.c}`);
      }
    };
    const cache = new Map();
    const pair = (i, j) => {
      const key = `${i},${j}`;
      if (!cache.has(key)) cache.set(key, compareRequest(root, service, goOp.requests[i], cOp.requests[j]));
      return cache.get(key);
    };
    for (const [i, j] of align(goOp.requests, cOp.requests, (x, y) => pair(x, y).diffs.length)) {
      if (i < 0 || j < 0) {
        const r = i < 0 ? cOp.requests[j] : goOp.requests[i];
        report(r.method, { path: i < 0 ? `!${LB}-only` : `!${LA}-only`, go: i < 0 ? ABSENT : 'sent',
          c: i < 0 ? 'sent' : ABSENT });
        continue;
      }
      const ga = goOp.requests[i];
      const cb = cOp.requests[j];
      totals.requests++;
      const cmp = pair(i, j);
      totals.fields += cmp.fields;
      for (const d of cmp.diffs) report(ga.method, d);
      for (const d of cmp.notes) {
        totals.jsonText++;
        lines.push(`  note    ${op}/${ga.method} ${d.path}: same JSON value, different text: ${LA} ${d.go} | ${LB} ${d.c}`);
      }
      if (cmp.diffs.length === 0 && cmp.notes.length === 0 && !ga.bytes.equals(cb.bytes)) {
        totals.encodingOnly++;
        lines.push(`  note    ${op}/${ga.method}: same fields, different bytes ` +
          `(${LA} ${ga.bytes.length} B, ${LB} ${cb.bytes.length} B: field order or encoding)`);
      }
    }
    totals.ops++;
    const methods = goOp.requests.map((r) => r.method).join(',') || '-';
    const cmethods = cOp.requests.map((r) => r.method).join(',') || '-';
    const what = methods === cmethods ? methods : `${LA} ${methods} / ${LB} ${cmethods}`;
    const summary = `${op} (${what}${allowedHere ? `; ${allowedHere} allowed` : ''}` +
      `${bugsHere ? `, ${bugsHere} of them suspected libmilvus bugs` : ''})`;
    if (failed) totals.opsFailed++;
    if (tap) {
      say(`${failed ? 'not ok' : 'ok'} ${tapStart + k} - golden ${summary}`);
      for (const l of lines) say(`# ${l}`);
    } else {
      say(`${failed ? 'FAIL' : 'ok  '} ${summary}`);
      for (const l of lines) say(l);
    }
  });

  for (const e of allow) {
    if (!e.used) note(`unused ${allowName}:${e.line}: ${e.text}`);
  }
  note(`summary: ${totals.ops} operations (${totals.opsFailed} failed), ${totals.requests} requests compared, ` +
    `${totals.fields} fields compared, ${totals.allowed} differences allowed ` +
    `(${totals.bugs} of them marked BUG: in ${allowName}), ` +
    `${totals.failed} differences failed; notes: ${totals.jsonText} same JSON in different text, ` +
    `${totals.encodingOnly} same fields in different bytes`);
  process.stdout.write(`${out.join('\n')}\n`);
  return totals.failed ? 1 : 0;
}

process.exitCode = main(process.argv);
