// SPDX-License-Identifier: Apache-2.0
'use strict';
// Unit tests of the filter-expression parser/evaluator (lib/expr.js).
// Pure JavaScript: needs no npm packages.

const test = require('node:test');
const assert = require('node:assert/strict');
const { compile } = require('./lib/expr');

const schema = {
  enable_dynamic_field: true,
  fields: [
    { name: 'id', data_type: 'Int64', is_primary_key: true },
    { name: 'age', data_type: 'Int32' },
    { name: 'score', data_type: 'Double' },
    { name: 'name', data_type: 'VarChar' },
    { name: 'ok', data_type: 'Bool' },
    { name: 'meta', data_type: 'JSON' },
    { name: 'tags', data_type: 'Array', element_type: 'VarChar' },
    { name: 'opt', data_type: 'Int64', nullable: true },
    { name: 'v', data_type: 'FloatVector' },
  ],
};
const strict = { ...schema, enable_dynamic_field: false };

const rows = [
  { pk: '1', values: { id: '1', age: 20, score: 1.5, name: 'alice', ok: true, meta: { city: 'Paris', n: [1, 2, 3], deep: { x: 1 } }, tags: { elementType: 'VarChar', values: ['a', 'b'] }, opt: null }, dynamic: { color: 'red', size: 3 } },
  { pk: '9223372036854775807', values: { id: '9223372036854775807', age: 35, score: -2, name: 'bob', ok: false, meta: { city: 'Oslo', n: [] }, tags: { elementType: 'VarChar', values: [] }, opt: '9007199254740993' }, dynamic: { color: 'blue' } },
  { pk: '-7', values: { id: '-7', age: 50, score: 0, name: 'Al_ice%', ok: true, meta: null, tags: { elementType: 'VarChar', values: ['c'] }, opt: '5' }, dynamic: {} },
];

function run(expr, templates, sch) {
  const c = compile(expr, sch || schema, templates);
  return rows.filter((r) => c.fn(r)).map((r) => r.pk);
}

function fails(expr, text, sch) {
  assert.throws(() => compile(expr, sch || schema), (e) => {
    assert.equal(e.code, 1100);
    assert.ok(e.reason.startsWith(`cannot parse expression: ${expr}, error:`), e.reason);
    if (text) assert.ok(e.reason.includes(text), e.reason);
    return true;
  });
}

test('comparisons on scalar fields', () => {
  assert.deepEqual(run('age > 20'), ['9223372036854775807', '-7']);
  assert.deepEqual(run('age >= 20 && age <= 35'), ['1', '9223372036854775807']);
  assert.deepEqual(run('score == 1.5'), ['1']);
  assert.deepEqual(run('score != 0'), ['1', '9223372036854775807']);
  assert.deepEqual(run('name == "bob"'), ['9223372036854775807']);
  assert.deepEqual(run("name < 'b'"), ['1', '-7']);
  assert.deepEqual(run('ok == true'), ['1', '-7']);
  assert.deepEqual(run('ok'), ['1', '-7']);
  assert.deepEqual(run('20 < age < 50'), ['9223372036854775807']);
  assert.deepEqual(run('age + 5 == 25 or age * 2 == 100'), ['1', '-7']);
  assert.deepEqual(run('age % 2 == 1'), ['9223372036854775807']);
  assert.deepEqual(run('-score > 1'), ['9223372036854775807']);
});

test('int64 values compare exactly', () => {
  assert.deepEqual(run('id == 9223372036854775807'), ['9223372036854775807']);
  assert.deepEqual(run('id > 9223372036854775806'), ['9223372036854775807']);
  assert.deepEqual(run('id < 0'), ['-7']);
  assert.deepEqual(run('opt == 9007199254740993'), ['9223372036854775807']);
  assert.deepEqual(run('opt == 9007199254740992'), []);
  assert.deepEqual(run('opt in [9007199254740993, 5]'), ['9223372036854775807', '-7']);
  const c = compile('id in [1, 9223372036854775807]', schema);
  assert.deepEqual(c.pkTerms.map(String), ['1', '9223372036854775807']);
  assert.equal(compile('id in [1] and age > 3', schema).pkTerms, null);
});

test('boolean operators, precedence and parentheses', () => {
  assert.deepEqual(run('age > 30 and ok or name == "alice"'), ['1', '-7']);
  assert.deepEqual(run('age > 30 and (ok or name == "alice")'), ['-7']);
  assert.deepEqual(run('not ok'), ['9223372036854775807']);
  assert.deepEqual(run('!(age < 30) && !ok'), ['9223372036854775807']);
  assert.deepEqual(run('NOT (age == 20) AND ok == True'), ['-7']);
  assert.deepEqual(run('age in [20, 50]'), ['1', '-7']);
  assert.deepEqual(run('age not in [20, 50]'), ['9223372036854775807']);
  assert.deepEqual(run('name in ["bob", "zed"]'), ['9223372036854775807']);
});

test('like patterns', () => {
  assert.deepEqual(run('name like "al%"'), ['1']);
  assert.deepEqual(run('name like "%ob"'), ['9223372036854775807']);
  assert.deepEqual(run('name like "%li%"'), ['1']);
  assert.deepEqual(run('name like "b_b"'), ['9223372036854775807']);
  assert.deepEqual(run('name like "Al\\\\_ice\\\\%"'), ['-7']);
  assert.deepEqual(run('meta["city"] like "P%"'), ['1']);
});

test('JSON paths, dynamic keys, arrays and null checks', () => {
  assert.deepEqual(run('meta["city"] == "Oslo"'), ['9223372036854775807']);
  assert.deepEqual(run('meta["n"][1] == 2'), ['1']);
  assert.deepEqual(run('meta["deep"]["x"] >= 1'), ['1']);
  assert.deepEqual(run('json_contains(meta["n"], 3)'), ['1']);
  assert.deepEqual(run('color == "red"'), ['1']);
  assert.deepEqual(run('$meta["color"] == "blue"'), ['9223372036854775807']);
  assert.deepEqual(run('size > 2'), ['1']);
  assert.deepEqual(run('array_contains(tags, "c")'), ['-7']);
  assert.deepEqual(run('array_contains_any(tags, ["b", "c"])'), ['1', '-7']);
  assert.deepEqual(run('array_contains_all(tags, ["a", "b"])'), ['1']);
  assert.deepEqual(run('array_length(tags) == 0'), ['9223372036854775807']);
  assert.deepEqual(run('opt is null'), ['1']);
  assert.deepEqual(run('opt IS NOT NULL'), ['9223372036854775807', '-7']);
  assert.deepEqual(run('opt > 0'), ['9223372036854775807', '-7'], 'null never matches a comparison');
  assert.deepEqual(run('opt != 5'), ['9223372036854775807']);
});

test('template placeholders', () => {
  const t = {
    a: { val: 'int64_val', int64_val: '30' },
    f: { val: 'float_val', float_val: 1.0 },
    s: { val: 'string_val', string_val: 'alice' },
    b: { val: 'bool_val', bool_val: false },
    l: { val: 'array_val', array_val: { data: 'long_data', long_data: { data: ['20', '50'] } } },
    ls: { val: 'array_val', array_val: { data: 'string_data', string_data: { data: ['b'] } } },
  };
  assert.deepEqual(run('age > {a}', t), ['9223372036854775807', '-7']);
  assert.deepEqual(run('score > {f}', t), ['1']);
  assert.deepEqual(run('name == {s}', t), ['1']);
  assert.deepEqual(run('ok == {b}', t), ['9223372036854775807']);
  assert.deepEqual(run('age in {l}', t), ['1', '-7']);
  assert.deepEqual(run('array_contains_any(tags, {ls})', t), ['1']);
  assert.throws(() => compile('age > {missing}', schema, t), /template variable name \{missing\} is not found/);
});

test('errors read like Milvus', () => {
  fails('nope > 1', 'field nope not exist', strict);
  fails('age >', 'mismatched input');
  fails('age > 1 and', 'mismatched input');
  fails('(age > 1', "expecting ')'");
  fails('name == "unterminated', 'unterminated string');
  fails('age > 1 extra', 'extraneous input');
  fails('age # 1', 'token recognition error');
  fails('v > 1', 'vector field v');
  fails('name > 3', 'comparisons between VarChar');
  fails('age in ["x"]', 'cannot be casted');
  fails('unknown_fn(age)', 'function unknown_fn is not supported');
  fails('age', 'not a boolean');
  // dynamic schemas accept unknown names as dynamic keys
  assert.deepEqual(run('nope == 1'), []);
});
