// SPDX-License-Identifier: Apache-2.0
'use strict';
// Parser and evaluator for the Milvus boolean filter language (the subset a
// test server needs): comparisons, chained ranges, in / not in, like,
// and / or / not (also && || !), arithmetic, JSON paths (f["k"][0]),
// dynamic-field keys, is null / is not null, array_contains*, array_length,
// json_contains*, template placeholders {name}.
//
// compile(text, schema, templates) returns { fn(row) -> boolean,
// pkTerms: [values] | null }.  pkTerms is set when the whole expression is
// `pk in [...]` or `pk == v`, so callers can look rows up directly (and
// Delete can report the listed ids like Milvus does).
//
// Int64 values are compared exactly: integers beyond 2^53 become BigInt.

const { MilvusError } = require('./errors');

class ExprError extends Error {}

// ---------------------------------------------------------------- lexer
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'is', 'null', 'true', 'false']);

function tokenize(src) {
  const toks = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const start = i;
    if ((c >= '0' && c <= '9') || (c === '.' && src[i + 1] >= '0' && src[i + 1] <= '9')) {
      let isFloat = false;
      if (c === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
        i += 2;
        while (i < n && /[0-9a-fA-F]/.test(src[i])) i++;
        toks.push({ t: 'num', v: BigInt(src.slice(start, i)), pos: start });
        continue;
      }
      while (i < n && src[i] >= '0' && src[i] <= '9') i++;
      if (src[i] === '.') { isFloat = true; i++; while (i < n && src[i] >= '0' && src[i] <= '9') i++; }
      if (src[i] === 'e' || src[i] === 'E') {
        isFloat = true; i++;
        if (src[i] === '+' || src[i] === '-') i++;
        while (i < n && src[i] >= '0' && src[i] <= '9') i++;
      }
      const text = src.slice(start, i);
      toks.push({ t: 'num', v: isFloat ? Number(text) : intValue(BigInt(text)), pos: start });
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      let s = '';
      for (;;) {
        if (i >= n) throw new ExprError('unterminated string literal');
        const d = src[i++];
        if (d === c) break;
        if (d === '\\') {
          const e = src[i++];
          if (e === 'n') s += '\n';
          else if (e === 't') s += '\t';
          else if (e === 'r') s += '\r';
          else if (e === 'u') { s += String.fromCharCode(parseInt(src.slice(i, i + 4), 16)); i += 4; }
          else s += e;
        } else {
          s += d;
        }
      }
      toks.push({ t: 'str', v: s, pos: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$]/.test(src[i])) i++;
      const word = src.slice(start, i);
      const lw = word.toLowerCase();
      if (KEYWORDS.has(lw) && (word === lw || word === word.toUpperCase() ||
          word === 'True' || word === 'False')) {
        toks.push({ t: 'kw', v: lw, pos: start });
      } else {
        toks.push({ t: 'id', v: word, pos: start });
      }
      continue;
    }
    if (c === '{') {
      const end = src.indexOf('}', i);
      if (end < 0) throw new ExprError('unterminated template placeholder');
      const name = src.slice(i + 1, end).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ExprError(`invalid template placeholder {${name}}`);
      toks.push({ t: 'tpl', v: name, pos: start });
      i = end + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||', '**'].includes(two)) {
      toks.push({ t: 'op', v: two, pos: start });
      i += 2;
      continue;
    }
    if ('<>+-*/%()[],!'.includes(c)) {
      toks.push({ t: 'op', v: c, pos: start });
      i++;
      continue;
    }
    throw new ExprError(`token recognition error at: '${c}'`);
  }
  toks.push({ t: 'eof', v: '<EOF>', pos: n });
  return toks;
}

function intValue(b) {
  if (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(b);
  return b;
}

// ---------------------------------------------------------------- parser
// AST nodes: {k:'lit', v}, {k:'field', name, path:[], field|null, dynamic},
// {k:'tpl', name}, {k:'list', items}, {k:'bin', op, a, b}, {k:'not', a},
// {k:'cmp', op, a, b}, {k:'in', a, list, neg}, {k:'like', a, pat},
// {k:'isnull', a, neg}, {k:'call', name, args}, {k:'neg', a}
class Parser {
  constructor(toks) { this.toks = toks; this.i = 0; }
  peek() { return this.toks[this.i]; }
  next() { return this.toks[this.i++]; }
  isOp(v) { const t = this.peek(); return t.t === 'op' && t.v === v; }
  isKw(v) { const t = this.peek(); return t.t === 'kw' && t.v === v; }
  expectOp(v) {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new ExprError(`mismatched input '${t.v}' expecting '${v}'`);
  }

  parse() {
    const e = this.orExpr();
    const t = this.peek();
    if (t.t !== 'eof') throw new ExprError(`extraneous input '${t.v}' expecting <EOF>`);
    return e;
  }

  orExpr() {
    let a = this.andExpr();
    while (this.isKw('or') || this.isOp('||')) { this.next(); a = { k: 'bin', op: 'or', a, b: this.andExpr() }; }
    return a;
  }

  andExpr() {
    let a = this.notExpr();
    while (this.isKw('and') || this.isOp('&&')) { this.next(); a = { k: 'bin', op: 'and', a, b: this.notExpr() }; }
    return a;
  }

  notExpr() {
    if (this.isKw('not') || this.isOp('!')) { this.next(); return { k: 'not', a: this.notExpr() }; }
    return this.cmpExpr();
  }

  cmpExpr() {
    const a = this.addExpr();
    const t = this.peek();
    if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.next();
      const b = this.addExpr();
      const t2 = this.peek();
      // chained range: 1 < x < 5
      if (t2.t === 'op' && ['<', '<=', '>', '>='].includes(t2.v) && ['<', '<=', '>', '>='].includes(t.v)) {
        this.next();
        const c = this.addExpr();
        return { k: 'bin', op: 'and', a: { k: 'cmp', op: t.v, a, b }, b: { k: 'cmp', op: t2.v, a: b, b: c } };
      }
      return { k: 'cmp', op: t.v, a, b };
    }
    if (this.isKw('not') && this.toks[this.i + 1].t === 'kw' && this.toks[this.i + 1].v === 'in') {
      this.next(); this.next();
      return { k: 'in', a, list: this.primary(), neg: true };
    }
    if (this.isKw('in')) { this.next(); return { k: 'in', a, list: this.primary(), neg: false }; }
    if (this.isKw('like')) {
      this.next();
      const p = this.primary();
      return { k: 'like', a, pat: p };
    }
    if (this.isKw('is')) {
      this.next();
      let neg = false;
      if (this.isKw('not')) { this.next(); neg = true; }
      if (!this.isKw('null')) throw new ExprError(`mismatched input '${this.peek().v}' expecting NULL`);
      this.next();
      return { k: 'isnull', a, neg };
    }
    return a;
  }

  addExpr() {
    let a = this.mulExpr();
    while (this.isOp('+') || this.isOp('-')) { const op = this.next().v; a = { k: 'arith', op, a, b: this.mulExpr() }; }
    return a;
  }

  mulExpr() {
    let a = this.powExpr();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) { const op = this.next().v; a = { k: 'arith', op, a, b: this.powExpr() }; }
    return a;
  }

  powExpr() {
    const a = this.unary();
    if (this.isOp('**')) { this.next(); return { k: 'arith', op: '**', a, b: this.powExpr() }; }
    return a;
  }

  unary() {
    if (this.isOp('-')) {
      this.next();
      const a = this.unary();
      if (a.k === 'lit' && (typeof a.v === 'number' || typeof a.v === 'bigint')) {
        return { k: 'lit', v: typeof a.v === 'bigint' ? intValue(-a.v) : -a.v };
      }
      return { k: 'neg', a };
    }
    if (this.isOp('+')) { this.next(); return this.unary(); }
    return this.primary();
  }

  primary() {
    const t = this.next();
    switch (t.t) {
      case 'num': return { k: 'lit', v: t.v };
      case 'str': return { k: 'lit', v: t.v };
      case 'tpl': return { k: 'tpl', name: t.v };
      case 'kw':
        if (t.v === 'true') return { k: 'lit', v: true };
        if (t.v === 'false') return { k: 'lit', v: false };
        if (t.v === 'null') return { k: 'lit', v: null };
        throw new ExprError(`mismatched input '${t.v}'`);
      case 'id': {
        if (this.isOp('(')) {
          this.next();
          const args = [];
          if (!this.isOp(')')) {
            args.push(this.orExpr());
            while (this.isOp(',')) { this.next(); args.push(this.orExpr()); }
          }
          this.expectOp(')');
          return { k: 'call', name: t.v.toLowerCase(), args };
        }
        const path = [];
        while (this.isOp('[')) {
          this.next();
          const key = this.next();
          if (key.t !== 'str' && key.t !== 'num') throw new ExprError(`invalid json path element '${key.v}'`);
          path.push(key.t === 'num' ? Number(key.v) : key.v);
          this.expectOp(']');
        }
        return { k: 'field', name: t.v, path };
      }
      case 'op':
        if (t.v === '(') {
          const e = this.orExpr();
          this.expectOp(')');
          return e;
        }
        if (t.v === '[') {
          const items = [];
          if (!this.isOp(']')) {
            items.push(this.orExpr());
            while (this.isOp(',')) { this.next(); if (this.isOp(']')) break; items.push(this.orExpr()); }
          }
          this.expectOp(']');
          return { k: 'list', items };
        }
        throw new ExprError(`mismatched input '${t.v}'`);
      default:
        throw new ExprError(`mismatched input '${t.v}'`);
    }
  }
}

// ---------------------------------------------------------------- values
// Normalise a row value for comparison: Int64 strings -> number/BigInt,
// Array fields -> plain arrays.
function norm(v) {
  if (v === undefined) return null;
  return v;
}

function isNum(x) { return typeof x === 'number' || typeof x === 'bigint'; }

// Three-way numeric/string compare; returns null when incomparable.
function cmp3(a, b) {
  if (a === null || b === null) return null;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (isNum(a) && isNum(b)) {
    if (ta === 'bigint' && tb === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    const big = ta === 'bigint' ? a : b;
    const other = ta === 'bigint' ? b : a;
    let r;
    if (Number.isInteger(other)) {
      const o = BigInt(other);
      r = big < o ? -1 : big > o ? 1 : 0;
    } else {
      const f = Number(big);
      r = f < other ? -1 : f > other ? 1 : 0;
    }
    return ta === 'bigint' ? r : -r;
  }
  if (ta === 'string' && tb === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (ta === 'boolean' && tb === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return null;
}

function equals(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  return cmp3(a, b) === 0;
}

function toNumber(x) { return typeof x === 'bigint' ? Number(x) : x; }

function arith(op, a, b) {
  if (!isNum(a) || !isNum(b)) return null;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (Number.isInteger(toNumber(a)) && Number.isInteger(toNumber(b)) && op !== '/' && op !== '**') {
      const x = BigInt(a);
      const y = BigInt(b);
      if (op === '+') return intValue(x + y);
      if (op === '-') return intValue(x - y);
      if (op === '*') return intValue(x * y);
      if (op === '%') return y === 0n ? null : intValue(x % y);
    }
    a = Number(a);
    b = Number(b);
  }
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? null : a / b;
    case '%': return b === 0 ? null : a % b;
    case '**': return a ** b;
    default: return null;
  }
}

const likeCache = new Map();
function likeRegex(pat) {
  let re = likeCache.get(pat);
  if (re) return re;
  let s = '^';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === '\\' && i + 1 < pat.length) { s += pat[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); continue; }
    if (c === '%') s += '[\\s\\S]*';
    else if (c === '_') s += '[\\s\\S]';
    else s += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(s + '$');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(pat, re);
  return re;
}

// TemplateValue (decoded with oneofs) -> JS value
function templateToJs(tv) {
  if (tv === null || tv === undefined) return null;
  const which = tv.val || Object.keys(tv).find((k) => k.endsWith('_val') && tv[k] !== null && tv[k] !== undefined);
  switch (which) {
    case 'bool_val': return !!tv.bool_val;
    case 'int64_val': return intValue(BigInt(tv.int64_val));
    case 'float_val': return Number(tv.float_val);
    case 'string_val': return String(tv.string_val);
    case 'bytes_val': return Buffer.from(tv.bytes_val).toString();
    case 'array_val': return templateArrayToJs(tv.array_val);
    default: return null;
  }
}

function templateArrayToJs(av) {
  if (!av) return [];
  const which = av.data || ['bool_data', 'long_data', 'double_data', 'string_data', 'array_data', 'json_data']
    .find((k) => av[k]);
  const d = av[which];
  if (!d) return [];
  switch (which) {
    case 'bool_data': return d.data.map(Boolean);
    case 'long_data': return d.data.map((x) => intValue(BigInt(x)));
    case 'double_data': return d.data.map(Number);
    case 'string_data': return d.data.map(String);
    case 'array_data': return d.data.map(templateArrayToJs);
    case 'json_data': return d.data.map((b) => JSON.parse(Buffer.from(b).toString()));
    default: return [];
  }
}

// ---------------------------------------------------------------- compile
const INT_TYPES = new Set(['Int8', 'Int16', 'Int32', 'Int64']);
const FLOAT_TYPES = new Set(['Float', 'Double']);
const STRING_TYPES = new Set(['VarChar', 'String', 'Text', 'Timestamptz', 'Geometry']);
const VECTOR_TYPES = new Set(['FloatVector', 'BinaryVector', 'Float16Vector', 'BFloat16Vector', 'SparseFloatVector', 'Int8Vector']);

function fieldKind(f) {
  if (!f) return 'any';
  const t = f.data_type;
  if (INT_TYPES.has(t) || FLOAT_TYPES.has(t)) return 'num';
  if (STRING_TYPES.has(t)) return 'str';
  if (t === 'Bool') return 'bool';
  if (t === 'Array') return 'array';
  return 'any';
}

function litKind(v) {
  if (typeof v === 'number' || typeof v === 'bigint') return 'num';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  return 'any';
}

function makeAccessor(node, schema) {
  const fields = schema.fields || [];
  let f = fields.find((x) => x.name === node.name);
  let path = node.path;
  let dynamic = false;
  if (!f && node.name === '$meta' && schema.enable_dynamic_field) {
    dynamic = true;
  } else if (!f) {
    if (!schema.enable_dynamic_field) throw new ExprError(`field ${node.name} not exist`);
    dynamic = true;
    path = [node.name, ...path];
  }
  if (f && VECTOR_TYPES.has(f.data_type)) {
    throw new ExprError(`vector field ${f.name} cannot be used in a filter expression`);
  }
  if (f && path.length && f.data_type !== 'JSON' && f.data_type !== 'Array') {
    throw new ExprError(`field ${f.name} of type ${f.data_type} cannot be accessed by path`);
  }
  const name = f ? f.name : null;
  const isPk = f && f.is_primary_key;
  const type = f ? f.data_type : 'JSON';
  const base = dynamic
    ? (row) => row.dynamic || null
    : (row) => {
      let v = row.values ? row.values[name] : undefined;
      if (v === undefined && isPk) v = row.pk;
      return v === undefined ? null : v;
    };
  let conv;
  if (type === 'Int64') conv = (v) => (v === null ? null : typeof v === 'string' ? intValue(BigInt(v)) : v);
  else if (type === 'Array') conv = (v) => (v === null ? null : Array.isArray(v) ? v : v.values || []);
  else conv = norm;
  const get = (row) => conv(base(row));
  const acc = path.length === 0 ? get : (row) => {
    let v = get(row);
    for (const p of path) {
      if (v === null || v === undefined || typeof v !== 'object') return null;
      v = v[p];
    }
    if (v === undefined) return null;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return v;
  };
  acc.field = f || null;
  acc.kind = path.length ? 'any' : fieldKind(f);
  acc.isPk = !!isPk && path.length === 0;
  return acc;
}

function compileNode(node, ctx) {
  switch (node.k) {
    case 'lit': { const v = node.v; const fn = () => v; fn.lit = true; fn.value = v; fn.kind = litKind(v); return fn; }
    case 'tpl': {
      if (!ctx.templates || !(node.name in ctx.templates)) {
        throw new ExprError(`the value of expression template variable name {${node.name}} is not found`);
      }
      const v = templateToJs(ctx.templates[node.name]);
      const fn = () => v; fn.lit = true; fn.value = v; fn.kind = litKind(v); return fn;
    }
    case 'field': return makeAccessor(node, ctx.schema);
    case 'list': {
      const items = node.items.map((x) => compileNode(x, ctx));
      if (items.every((x) => x.lit)) {
        const arr = items.map((x) => x.value);
        const fn = () => arr; fn.lit = true; fn.value = arr; return fn;
      }
      return (row) => items.map((x) => x(row));
    }
    case 'bin': {
      const a = compileBool(node.a, ctx);
      const b = compileBool(node.b, ctx);
      return node.op === 'and' ? (row) => a(row) && b(row) : (row) => a(row) || b(row);
    }
    case 'not': { const a = compileBool(node.a, ctx); return (row) => !a(row); }
    case 'neg': { const a = compileNode(node.a, ctx); return (row) => arith('-', 0, a(row)); }
    case 'arith': {
      const a = compileNode(node.a, ctx);
      const b = compileNode(node.b, ctx);
      const op = node.op;
      return (row) => arith(op, a(row), b(row));
    }
    case 'cmp': {
      const a = compileNode(node.a, ctx);
      const b = compileNode(node.b, ctx);
      checkKinds(a, b, node.op);
      switch (node.op) {
        case '==': return (row) => equals(a(row), b(row));
        case '!=': return (row) => { const x = a(row); const y = b(row); return x !== null && y !== null && !equals(x, y); };
        case '<': return (row) => cmp3(a(row), b(row)) === -1;
        case '<=': { return (row) => { const r = cmp3(a(row), b(row)); return r === -1 || r === 0; }; }
        case '>': return (row) => cmp3(a(row), b(row)) === 1;
        case '>=': { return (row) => { const r = cmp3(a(row), b(row)); return r === 1 || r === 0; }; }
        default: throw new ExprError(`unsupported operator ${node.op}`);
      }
    }
    case 'in': {
      const a = compileNode(node.a, ctx);
      const list = compileNode(node.list, ctx);
      const neg = node.neg;
      if (list.lit) {
        if (!Array.isArray(list.value)) throw new ExprError('the right operand of "in" must be a list');
        const vals = list.value;
        // fast path: a set of primitive keys
        const keys = new Set(vals.map((v) => (typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? String(v) : typeof v === 'string' ? 's:' + v : JSON.stringify(v))));
        const key = (v) => (typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? String(v) : typeof v === 'string' ? 's:' + v : JSON.stringify(v));
        if (a.kind === 'str' || a.kind === 'num' || a.kind === 'bool') {
          for (const v of vals) {
            if (a.kind !== litKind(v) && !(a.kind === 'num' && isNum(v))) {
              throw new ExprError(`value '${String(v)}' in list cannot be casted to ${a.field ? a.field.data_type : 'field type'}`);
            }
          }
        }
        return (row) => {
          const v = a(row);
          if (v === null) return false;
          const hit = keys.has(key(v)) || (typeof v === 'number' && !Number.isInteger(v) && vals.some((x) => equals(x, v)));
          return neg ? !hit : hit;
        };
      }
      return (row) => {
        const v = a(row);
        const l = list(row);
        if (v === null || !Array.isArray(l)) return false;
        const hit = l.some((x) => equals(x, v));
        return neg ? !hit : hit;
      };
    }
    case 'like': {
      const a = compileNode(node.a, ctx);
      const p = compileNode(node.pat, ctx);
      if (!p.lit || typeof p.value !== 'string') throw new ExprError('like operation needs a string pattern');
      if (a.kind !== 'str' && a.kind !== 'any') throw new ExprError(`like operation on non-string or no-json field is unsupported`);
      const re = likeRegex(p.value);
      return (row) => { const v = a(row); return typeof v === 'string' && re.test(v); };
    }
    case 'isnull': {
      const a = compileNode(node.a, ctx);
      return node.neg ? (row) => a(row) !== null : (row) => a(row) === null;
    }
    case 'call': return compileCall(node, ctx);
    default: throw new ExprError('unsupported expression');
  }
}

function checkKinds(a, b, op) {
  const ka = a.kind || 'any';
  const kb = b.kind || 'any';
  if (ka === 'any' || kb === 'any' || ka === kb) return;
  if (a.lit && b.lit) return;
  const f = a.field || b.field;
  const lit = a.lit ? a.value : b.lit ? b.value : undefined;
  throw new ExprError(`comparisons between ${f ? f.data_type : ka} and ${lit === undefined ? kb : JSON.stringify(typeof lit === 'bigint' ? lit.toString() : lit)} with operator ${op} are not supported`);
}

function compileCall(node, ctx) {
  const args = node.args.map((x) => compileNode(x, ctx));
  const need = (n) => { if (args.length !== n) throw new ExprError(`function ${node.name} expects ${n} arguments`); };
  const asArr = (v) => (Array.isArray(v) ? v : v && Array.isArray(v.values) ? v.values : null);
  switch (node.name) {
    case 'array_contains':
    case 'json_contains': {
      need(2);
      const [a, b] = args;
      return (row) => { const arr = asArr(a(row)); const v = b(row); return !!arr && arr.some((x) => equals(x, v)); };
    }
    case 'array_contains_all':
    case 'json_contains_all': {
      need(2);
      const [a, b] = args;
      return (row) => {
        const arr = asArr(a(row)); const vs = b(row);
        return !!arr && Array.isArray(vs) && vs.every((v) => arr.some((x) => equals(x, v)));
      };
    }
    case 'array_contains_any':
    case 'json_contains_any': {
      need(2);
      const [a, b] = args;
      return (row) => {
        const arr = asArr(a(row)); const vs = b(row);
        return !!arr && Array.isArray(vs) && vs.some((v) => arr.some((x) => equals(x, v)));
      };
    }
    case 'array_length': {
      need(1);
      const [a] = args;
      const fn = (row) => { const arr = asArr(a(row)); return arr ? arr.length : null; };
      fn.kind = 'num';
      return fn;
    }
    case 'exists': {
      need(1);
      const [a] = args;
      return (row) => a(row) !== null;
    }
    default:
      throw new ExprError(`function ${node.name} is not supported`);
  }
}

function compileBool(node, ctx) {
  const fn = compileNode(node, ctx);
  if (fn.lit) {
    if (typeof fn.value !== 'boolean') throw new ExprError('expression is not a boolean');
    const v = fn.value;
    return () => v;
  }
  if (fn.kind && fn.kind !== 'bool' && fn.kind !== 'any') throw new ExprError('expression is not a boolean');
  return (row) => fn(row) === true;
}

// pkTerms: the literal values when the whole expression is `pk in [...]` / `pk == v`
function pkTermsOf(ast, schema) {
  const pk = (schema.fields || []).find((f) => f.is_primary_key);
  if (!pk) return null;
  const isPkField = (n) => n.k === 'field' && n.name === pk.name && n.path.length === 0;
  if (ast.k === 'in' && !ast.neg && isPkField(ast.a)) return { list: ast.list };
  if (ast.k === 'cmp' && ast.op === '==' && isPkField(ast.a)) return { one: ast.b };
  if (ast.k === 'cmp' && ast.op === '==' && isPkField(ast.b)) return { one: ast.a };
  return null;
}

const compileCache = new WeakMap();

// Compile `text` against `schema`.  Throws MilvusError 1100 with Milvus's
// "cannot parse expression" wording on any error.
function compile(text, schema, templates, prefix) {
  const hasTpl = templates && Object.keys(templates).length > 0;
  let perSchema = compileCache.get(schema);
  const cacheKey = text + '\u0000' + (schema.fields ? schema.fields.length : 0) + (schema.enable_dynamic_field ? 'd' : '');
  if (!hasTpl && perSchema && perSchema.has(cacheKey)) return perSchema.get(cacheKey);
  let out;
  try {
    const ast = new Parser(tokenize(text)).parse();
    const ctx = { schema, templates: templates || {} };
    const fn = compileBool(ast, ctx);
    let pkTerms = null;
    const t = pkTermsOf(ast, schema);
    if (t) {
      if (t.list) {
        const l = compileNode(t.list, ctx);
        if (l.lit && Array.isArray(l.value)) pkTerms = l.value;
      } else {
        const v = compileNode(t.one, ctx);
        if (v.lit) pkTerms = [v.value];
      }
    }
    out = { fn, pkTerms };
  } catch (e) {
    if (e instanceof ExprError) {
      const msg = `cannot parse expression: ${text}, error: ${e.message}`;
      throw new MilvusError(1100, `${prefix || ''}${msg}: invalid parameter`, 'IllegalArgument');
    }
    throw e;
  }
  if (!hasTpl) {
    if (!perSchema) { perSchema = new Map(); compileCache.set(schema, perSchema); }
    if (perSchema.size > 500) perSchema.clear();
    perSchema.set(cacheKey, out);
  }
  return out;
}

module.exports = { compile, tokenize, templateToJs, cmp3, equals, intValue, ExprError };
