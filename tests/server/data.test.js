// SPDX-License-Identifier: Apache-2.0
'use strict';
// Data path of the Milvus-protocol test server: Insert/Upsert/Delete,
// Search/HybridSearch/iterators, Query/count(*), checked against
// independent brute-force computations done here.  Requests and responses
// go through the upstream wire encoding (see areas-test/harness.js).

const h = require('./areas-test/harness');

if (h.peersAvailable()) main();

function main() {
  const test = require('node:test');
  const assert = require('node:assert/strict');
  const { col, field, kv } = h;

  const j = (buf) => JSON.parse(Buffer.from(buf).toString());
  const ok = (r) => assert.equal((r.status || r).code, 0, (r.status || r).reason);
  const err = (r, code, text) => {
    const st = r.status || r;
    assert.equal(st.code, code, `code ${st.code}: ${st.reason}`);
    if (text) assert.ok(st.reason.includes(text), `reason "${st.reason}" lacks "${text}"`);
  };
  const colOf = (res, name) => res.fields_data.find((f) => f.field_name === name);
  const idsOf = (ids) => (ids.int_id ? ids.int_id.data : ids.str_id.data);

  // --- independent reference maths
  const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
  const ref = {
    L2: (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0),
    IP: dot,
    COSINE: (a, b) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b)),
  };
  const f32 = (x) => Math.fround(x);
  function bruteForce(vectors, q, metric, k, keep) {
    const all = vectors.map((v, i) => ({ id: i, s: ref[metric](v.map(f32), q.map(f32)) })).filter((e) => !keep || keep(e.id));
    all.sort((a, b) => (metric === 'L2' ? a.s - b.s : b.s - a.s));
    return all.slice(0, k);
  }
  function randVecs(rand, n, dim) {
    return Array.from({ length: n }, () => Array.from({ length: dim }, () => f32(rand() * 2 - 1)));
  }

  async function vecCollection(srv, name, n, dim, metric, extraFields, opts) {
    const rand = h.rng(n * 31 + dim);
    const vectors = randVecs(rand, n, dim);
    await h.makeCollection(srv, name, [
      field('id', 'Int64', { pk: true }), field('v', 'FloatVector', { dim }),
      field('tag', 'Int64'), field('name', 'VarChar', { maxLength: 32 }), ...(extraFields || []),
    ], { metrics: { v: metric }, ...(opts || {}) });
    const ids = vectors.map((_, i) => i);
    const r = await srv.call('Insert', {
      collection_name: name, num_rows: n,
      fields_data: [col.int64('id', ids), col.floatVec('v', dim, vectors), col.int64('tag', ids.map((i) => i % 7)),
        col.varchar('name', ids.map((i) => `n${i}`))],
    });
    ok(r);
    return vectors;
  }

  test('insert then query round-trips every data type', async () => {
    const srv = h.makeServer();
    await h.makeCollection(srv, 'all', [
      field('id', 'Int64', { pk: true }), field('b', 'Bool'), field('i8', 'Int8'), field('i16', 'Int16'),
      field('i32', 'Int32'), field('f', 'Float'), field('d', 'Double'), field('s', 'VarChar', { maxLength: 64 }),
      field('js', 'JSON'), field('ai', 'Array', { elementType: 'Int64', maxCapacity: 8 }),
      field('as', 'Array', { elementType: 'VarChar', maxCapacity: 8, maxLength: 16 }),
      field('geo', 'Geometry'), field('ts', 'Timestamptz'),
      field('fv', 'FloatVector', { dim: 3 }), field('bv', 'BinaryVector', { dim: 16 }),
    ], { metrics: { fv: 'L2', bv: 'HAMMING' } });
    const big = '9007199254740993';
    const r = await srv.call('Insert', {
      collection_name: 'all', num_rows: 2,
      fields_data: [
        col.int64('id', [big, '-5']), col.bool('b', [true, false]), col.int8('i8', [-128, 127]),
        col.int16('i16', [-300, 300]), col.int32('i32', [2147483647, -1]), col.float('f', [1.5, -0.25]),
        col.double('d', [1e300, -2.5]), col.varchar('s', ['héllo', '']), col.json('js', [{ a: [1, { b: 2 }] }, 7]),
        col.array('ai', 'Int64', [['1', big], []]), col.array('as', 'VarChar', [['x', 'y'], ['z']]),
        col.geometry('geo', ['POINT (1 2)', 'LINESTRING (0 0, 1 1)']), col.timestamptz('ts', ['1700000000000000', '0']),
        col.floatVec('fv', 3, [[0.5, 1, -1], [0, 0, 2]]),
        col.binaryVec('bv', 16, [Buffer.from([0xff, 0x00]), Buffer.from([0x0f, 0xf0])]),
      ],
    });
    ok(r);
    assert.deepEqual(r.IDs.int_id.data, [big, '-5']);
    assert.equal(r.insert_cnt, '2');
    assert.deepEqual(r.succ_index, [0, 1]);
    const q = await srv.call('Query', { collection_name: 'all', expr: `id in [${big}, -5]`, output_fields: ['*'] });
    ok(q);
    assert.deepEqual(colOf(q, 'id').scalars.long_data.data, ['-5', big]); // primary-key order
    const at = (name) => colOf(q, name).scalars;
    assert.deepEqual(at('b').bool_data.data, [false, true]);
    assert.deepEqual(at('i8').int_data.data, [127, -128]);
    assert.deepEqual(at('i16').int_data.data, [300, -300]);
    assert.deepEqual(at('i32').int_data.data, [-1, 2147483647]);
    assert.deepEqual(at('f').float_data.data, [-0.25, 1.5]);
    assert.deepEqual(at('d').double_data.data, [-2.5, 1e300]);
    assert.deepEqual(at('s').string_data.data, ['', 'héllo']);
    assert.deepEqual(at('js').json_data.data.map(j), [7, { a: [1, { b: 2 }] }]);
    assert.equal(at('ai').array_data.element_type, 'Int64');
    // an empty array row is an empty ScalarField (no oneof), as segcore writes it
    assert.deepEqual(at('ai').array_data.data.map((x) => (x.long_data ? x.long_data.data : [])), [[], ['1', big]]);
    assert.strictEqual(at('ai').array_data.data[0].data, undefined);
    assert.deepEqual(at('as').array_data.data.map((x) => x.string_data.data), [['z'], ['x', 'y']]);
    assert.deepEqual(at('geo').geometry_wkt_data.data, ['LINESTRING (0 0, 1 1)', 'POINT (1 2)']);
    // as a real Milvus answers: RFC 3339 text (Milvus Lite 3.2 does the same)
    assert.deepEqual(at('ts').string_data.data, ['1970-01-01T00:00:00Z', '2023-11-14T22:13:20Z']);
    const fv = colOf(q, 'fv').vectors;
    assert.equal(fv.dim, '3');
    assert.deepEqual(fv.float_vector.data, [0, 0, 2, 0.5, 1, -1]);
    assert.deepEqual([...colOf(q, 'bv').vectors.binary_vector], [0x0f, 0xf0, 0xff, 0x00]);
    assert.deepEqual(q.output_fields.slice().sort(), ['ai', 'as', 'b', 'bv', 'd', 'f', 'fv', 'geo', 'i16', 'i32', 'i8', 'id', 'js', 's', 'ts']);
  });

  test('insert then query round-trips the other vector types', async () => {
    const srv = h.makeServer();
    await h.makeCollection(srv, 'vx', [
      field('pk', 'VarChar', { pk: true, maxLength: 16 }), field('h', 'Float16Vector', { dim: 2 }),
      field('bh', 'BFloat16Vector', { dim: 2 }), field('sp', 'SparseFloatVector'), field('i8v', 'Int8Vector', { dim: 3 }),
    ], { metrics: { h: 'L2', bh: 'IP', sp: 'IP', i8v: 'L2' } });
    const half = Buffer.from([0x00, 0x3c, 0x00, 0xc0]); // 1.0, -2.0
    const bhalf = Buffer.from([0x80, 0x3f, 0x00, 0x40]); // 1.0, 2.0
    const r = await srv.call('Insert', {
      collection_name: 'vx', num_rows: 2,
      fields_data: [
        col.varchar('pk', ['a', 'b']), col.f16Vec('h', 2, [half, Buffer.from([0, 0, 0, 0x3c])]),
        col.bf16Vec('bh', 2, [bhalf, bhalf]), col.sparseVec('sp', [{ 3: 0.5, 100: 2 }, { 7: -1 }]),
        col.int8Vec('i8v', 3, [Buffer.from([1, 0xff, 0x80]), Buffer.from([0, 0, 5])]),
      ],
    });
    ok(r);
    assert.deepEqual(r.IDs.str_id.data, ['a', 'b']);
    const q = await srv.call('Query', { collection_name: 'vx', expr: 'pk >= "a"', output_fields: ['h', 'bh', 'sp', 'i8v'] });
    ok(q);
    assert.deepEqual([...colOf(q, 'h').vectors.float16_vector], [...half, 0, 0, 0, 0x3c]);
    assert.deepEqual([...colOf(q, 'bh').vectors.bfloat16_vector], [...bhalf, ...bhalf]);
    assert.deepEqual([...colOf(q, 'i8v').vectors.int8_vector], [1, 0xff, 0x80, 0, 0, 5]);
    const sp = colOf(q, 'sp').vectors.sparse_float_vector;
    assert.equal(sp.dim, '101');
    const row0 = sp.contents[0];
    assert.deepEqual([row0.readUInt32LE(0), row0.readFloatLE(4), row0.readUInt32LE(8), row0.readFloatLE(12)], [3, 0.5, 100, 2]);
    // sparse IP search and float16 L2 search against hand-computed scores
    const qs = Buffer.alloc(8); qs.writeUInt32LE(100, 0); qs.writeFloatLE(3, 4);
    let s = await srv.call('Search', h.searchReq(srv, 'vx', [qs], { topk: 2, anns_field: 'sp' }, { phType: 'SparseFloatVector' }));
    ok(s);
    assert.deepEqual(idsOf(s.results.ids), ['a', 'b']);
    assert.deepEqual(s.results.scores, [6, 0]);
    s = await srv.call('Search', h.searchReq(srv, 'vx', [Buffer.from([0x00, 0x3c, 0x00, 0x3c])], { topk: 2, anns_field: 'h' }, { phType: 'Float16Vector' }));
    ok(s);
    assert.deepEqual(idsOf(s.results.ids), ['b', 'a']);
    assert.deepEqual(s.results.scores, [1, 9]);
    s = await srv.call('Search', h.searchReq(srv, 'vx', [Buffer.from([0, 0, 1])], { topk: 1, anns_field: 'i8v' }, { phType: 'Int8Vector' }));
    ok(s);
    assert.deepEqual(idsOf(s.results.ids), ['b']);
    assert.deepEqual(s.results.scores, [16]);
  });

  test('nullable columns, default values and dynamic fields', async () => {
    const srv = h.makeServer();
    await h.makeCollection(srv, 'nd', [
      field('id', 'Int64', { pk: true, autoID: true }), field('v', 'FloatVector', { dim: 2 }),
      field('n', 'Int32', { nullable: true }), field('dv', 'VarChar', { maxLength: 8, default: { string_data: 'dflt' } }),
      field('dn', 'Double', { nullable: true, default: { double_data: 2.5 } }),
    ], { dynamic: true });
    const r = await srv.call('Insert', {
      collection_name: 'nd', num_rows: 3,
      fields_data: [col.floatVec('v', 2, [[1, 0], [0, 1], [1, 1]]), col.int32('n', [10, 30], [true, false, true]),
        col.varchar('dv', ['x', 'z'], [true, false, true]), col.dynamic([{ color: 'red', k: 1 }, { color: 'blue' }, {}])],
    });
    ok(r);
    const ids = r.IDs.int_id.data;
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3, 'auto ids are unique');
    const q = await srv.call('Query', { collection_name: 'nd', expr: 'id > 0', output_fields: ['n', 'dv', 'dn', 'color'] });
    ok(q);
    assert.deepEqual(colOf(q, 'id').scalars.long_data.data, ids.slice().sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    assert.deepEqual(colOf(q, 'n').valid_data, [true, false, true]);
    assert.deepEqual(colOf(q, 'n').scalars.int_data.data, [10, 0, 30]);
    assert.deepEqual(colOf(q, 'dv').scalars.string_data.data, ['x', 'dflt', 'z']);
    assert.deepEqual(colOf(q, 'dn').scalars.double_data.data, [2.5, 2.5, 2.5]);
    const meta = colOf(q, '$meta');
    assert.equal(meta.is_dynamic, true);
    assert.deepEqual(meta.scalars.json_data.data.map(j), [{ color: 'red' }, { color: 'blue' }, {}]);
    assert.ok(q.output_fields.includes('color'));
    const f = await srv.call('Query', { collection_name: 'nd', expr: 'color == "blue" or n is null', output_fields: ['$meta'] });
    ok(f);
    assert.equal(colOf(f, 'id').scalars.long_data.data.length, 1);
    assert.deepEqual(colOf(f, '$meta').scalars.json_data.data.map(j), [{ color: 'blue' }]);
    const n = await srv.call('Query', { collection_name: 'nd', expr: 'n > 5 and k == 1', output_fields: [] });
    ok(n);
    assert.equal(colOf(n, 'id').scalars.long_data.data.length, 1);
  });

  test('write validation errors carry Milvus codes and reasons', async () => {
    const srv = h.makeServer();
    await h.makeCollection(srv, 'val', [
      field('id', 'Int64', { pk: true }), field('v', 'FloatVector', { dim: 4 }), field('s', 'VarChar', { maxLength: 3 }),
    ], { load: false });
    const base = (over) => ({
      collection_name: 'val', num_rows: 1,
      fields_data: [col.int64('id', [1]), col.floatVec('v', 4, [[1, 2, 3, 4]]), col.varchar('s', ['ab'])], ...over,
    });
    ok(await srv.call('Insert', base({})));
    err(await srv.call('Insert', base({ fields_data: [col.int64('id', [1]), col.floatVec('v', 3, [[1, 2, 3]]), col.varchar('s', ['a'])] })),
      1100, 'the dim (3) of field data(v) is not equal to schema dim (4)');
    err(await srv.call('Insert', base({ fields_data: [col.int64('id', [1]), col.floatVec('v', 4, [[1, 2, 3, 4]])] })),
      1100, 'fieldSchema(s) has no corresponding fieldData pass in: invalid parameter');
    err(await srv.call('Insert', base({ fields_data: [col.int64('id', [1]), col.floatVec('v', 4, [[1, 2, 3, 4]]), col.int64('s', [3])] })),
      1100, 'data type mismatch');
    err(await srv.call('Insert', base({ num_rows: 2 })), 1100, 'is not equal to passed num_rows (2)');
    err(await srv.call('Insert', base({ fields_data: [col.int64('id', [1]), col.floatVec('v', 4, [[1, 2, 3, 4]]), col.varchar('s', ['abcd'])] })),
      1100, 'exceeds max length (3)');
    err(await srv.call('Insert', base({ fields_data: [...base({}).fields_data, col.int64('extra', [1])] })),
      1100, 'Attempt to insert an unexpected field `extra`');
    err(await srv.call('Insert', base({ collection_name: 'nope' })), 100, 'collection not found[database=default][collection=nope]');
    err(await srv.call('Insert', base({ partition_name: 'px' })), 200, 'partition not found[partition=px]');
    err(await srv.call('Delete', { collection_name: 'val', expr: 'nope > 1' }), 1100, 'field nope not exist');
    // reading needs a loaded collection
    err(await srv.call('Query', { collection_name: 'val', expr: 'id > 0' }), 101, 'collection not loaded[collection=val]');
    err(await srv.call('Search', h.searchReq(srv, 'val', [[1, 2, 3, 4]], { topk: 1 })), 101, 'collection not loaded');
    ok(await srv.call('LoadCollection', { collection_name: 'val' }));
    err(await srv.call('Query', { collection_name: 'val', expr: 'nope > 1' }), 1100, 'cannot parse expression: nope > 1, error: field nope not exist');
    err(await srv.call('Query', { collection_name: 'val', expr: '' }), 1100, 'empty expression should be used with limit');
    err(await srv.call('Search', h.searchReq(srv, 'val', [[1, 2, 3]], { topk: 1 })), 2000,
      'vector dimension mismatch, expected vector size(byte) 16, actual 12.: segcore error');
    err(await srv.call('Search', h.searchReq(srv, 'val', [[1, 2, 3, 4]], {})), 1100, 'topk');
    err(await srv.call('Search', h.searchReq(srv, 'val', [[1, 2, 3, 4]], { topk: 1, metric_type: 'IP' })), 1100, 'metric type not match');
    // malformed input is refused, never a crash
    err(await srv.call('Search', { ...h.searchReq(srv, 'val', [[1, 2, 3, 4]], { topk: 1 }), placeholder_group: Buffer.from([0xff, 0xff, 0xff]) }), 1100);
    err(await srv.call('Search', h.searchReq(srv, 'val', [[1, 2, 3, 4]], { topk: 1, params: '{bad json' })), 1100, 'failed to parse');
    err(await srv.call('Search', h.searchReq(srv, 'val', [Buffer.alloc(4)], { topk: 1 }, { phType: 'BinaryVector' })), 1100, 'does not match');
    err(await srv.call('Insert', { ...base({}), fields_data: [col.int64('id', [1]), { ...col.floatVec('v', 4, [[1, 2, 3, 4]]), vectors: { dim: '4', float_vector: { data: [1, 2, 3] } } }, col.varchar('s', ['a'])] }), 1100);
    err(await srv.call('Insert', { ...base({}), fields_data: [...base({}).fields_data, { type: 'JSON', field_name: '', is_dynamic: true, scalars: { json_data: { data: [Buffer.from('{')] } } }] }), 1100);
    // auto id: providing the key is refused
    await h.makeCollection(srv, 'auto', [field('id', 'Int64', { pk: true, autoID: true }), field('v', 'FloatVector', { dim: 1 })]);
    err(await srv.call('Insert', { collection_name: 'auto', num_rows: 1, fields_data: [col.int64('id', [5]), col.floatVec('v', 1, [[1]])] }),
      1100, 'can not assign primary field data when auto id enabled id');
  });

  for (const metric of ['L2', 'IP', 'COSINE']) {
    test(`search ${metric} equals brute force (nq=3, filter, offset, round_decimal)`, async () => {
      const srv = h.makeServer();
      const dim = 8;
      const vectors = await vecCollection(srv, 'c', 300, dim, metric);
      const queries = randVecs(h.rng(7), 3, dim);
      let r = await srv.call('Search', h.searchReq(srv, 'c', queries, { topk: 10 }, { output: ['tag', 'name'] }));
      ok(r);
      const res = r.results;
      assert.equal(res.num_queries, '3');
      assert.deepEqual(res.topks, ['10', '10', '10']);
      const ids = idsOf(res.ids);
      queries.forEach((q, qi) => {
        const exp = bruteForce(vectors, q, metric, 10);
        assert.deepEqual(ids.slice(qi * 10, qi * 10 + 10), exp.map((e) => String(e.id)));
        exp.forEach((e, k) => assert.ok(Math.abs(res.scores[qi * 10 + k] - e.s) < 1e-4, `score ${res.scores[qi * 10 + k]} vs ${e.s}`));
      });
      assert.deepEqual(colOf(res, 'tag').scalars.long_data.data, ids.map((i) => String(Number(i) % 7)));
      assert.deepEqual(colOf(res, 'name').scalars.string_data.data, ids.map((i) => `n${i}`));
      // filter with a template value
      r = await srv.call('Search', h.searchReq(srv, 'c', [queries[0]], { topk: 5 }, {
        filter: 'tag == {t} and id not in [3, 4]', templates: { t: { int64_val: '2' } },
      }));
      ok(r);
      const expF = bruteForce(vectors, queries[0], metric, 5, (i) => i % 7 === 2 && i !== 3 && i !== 4);
      assert.deepEqual(idsOf(r.results.ids), expF.map((e) => String(e.id)));
      // offset pages the same order
      r = await srv.call('Search', h.searchReq(srv, 'c', [queries[1]], { topk: 5, offset: 5 }));
      ok(r);
      assert.deepEqual(idsOf(r.results.ids), bruteForce(vectors, queries[1], metric, 10).slice(5).map((e) => String(e.id)));
      // round_decimal
      r = await srv.call('Search', h.searchReq(srv, 'c', [queries[2]], { topk: 3, round_decimal: 2 }));
      ok(r);
      r.results.scores.forEach((s) => assert.ok(Math.abs(s * 100 - Math.round(s * 100)) < 1e-3));
    });
  }

  test('search: group by, range search, partitions, search by ids', async () => {
    const srv = h.makeServer();
    const dim = 6;
    const vectors = await vecCollection(srv, 'g', 200, dim, 'L2');
    const q = randVecs(h.rng(99), 1, dim)[0];
    let r = await srv.call('Search', h.searchReq(srv, 'g', [q], { topk: 4, group_by_field: 'tag', group_size: 2 }));
    ok(r);
    const ids = idsOf(r.results.ids).map(Number);
    const gv = r.results.group_by_field_value.scalars.long_data.data.map(Number);
    assert.equal(ids.length, 8);
    assert.deepEqual(gv, ids.map((i) => i % 7));
    const counts = {};
    gv.forEach((g) => { counts[g] = (counts[g] || 0) + 1; });
    assert.equal(Object.keys(counts).length, 4);
    Object.values(counts).forEach((c) => assert.equal(c, 2));
    // the best hit of each group is that group's brute-force best, and the groups come in order of their best hit
    const all = bruteForce(vectors, q, 'L2', 200);
    const firstOfGroup = [];
    for (const e of all) if (!firstOfGroup.some((x) => x % 7 === e.id % 7)) firstOfGroup.push(e.id);
    assert.deepEqual(ids.filter((_, i) => i % 2 === 0), firstOfGroup.slice(0, 4));
    // range search: radius / range_filter bound the L2 distances
    const lo = all[10].s;
    const hi = all[30].s;
    r = await srv.call('Search', h.searchReq(srv, 'g', [q], { topk: 100, params: JSON.stringify({ radius: hi, range_filter: lo }) }));
    ok(r);
    assert.deepEqual(idsOf(r.results.ids), all.filter((e) => e.s >= lo && e.s < hi).map((e) => String(e.id)));
    // partitions
    await srv.call('ReleaseCollection', { collection_name: 'g' });
    ok(await srv.call('CreatePartition', { collection_name: 'g', partition_name: 'p1' }));
    ok(await srv.call('Insert', {
      collection_name: 'g', partition_name: 'p1', num_rows: 1,
      fields_data: [col.int64('id', [1000]), col.floatVec('v', dim, [q]), col.int64('tag', [1]), col.varchar('name', ['p'])],
    }));
    ok(await srv.call('LoadCollection', { collection_name: 'g' }));
    r = await srv.call('Search', h.searchReq(srv, 'g', [q], { topk: 3 }, { partitions: ['p1'] }));
    ok(r);
    assert.deepEqual(idsOf(r.results.ids), ['1000']);
    assert.deepEqual(r.results.scores, [0]);
    r = await srv.call('Search', h.searchReq(srv, 'g', [q], { topk: 3 }, { partitions: ['_default'] }));
    assert.deepEqual(idsOf(r.results.ids), all.slice(0, 3).map((e) => String(e.id)));
    err(await srv.call('Search', h.searchReq(srv, 'g', [q], { topk: 3 }, { partitions: ['zz'] })), 200, 'partition not found[partition=zz]');
    // search by primary keys
    const byIds = { ...h.searchReq(srv, 'g', [q], { topk: 2 }), placeholder_group: Buffer.alloc(0), ids: { int_id: { data: ['5'] } } };
    r = await srv.call('Search', byIds);
    ok(r);
    assert.deepEqual(idsOf(r.results.ids), bruteForce(vectors, vectors[5], 'L2', 2).map((e) => String(e.id)));
  });

  test('hybrid search: RRF and weighted scores from the sub-search ranks', async () => {
    const srv = h.makeServer();
    const dim = 4;
    const rand = h.rng(5);
    const a = randVecs(rand, 60, dim);
    const b = randVecs(rand, 60, dim);
    await h.makeCollection(srv, 'hy', [field('id', 'Int64', { pk: true }), field('a', 'FloatVector', { dim }), field('b', 'FloatVector', { dim })],
      { metrics: { a: 'L2', b: 'IP' } });
    ok(await srv.call('Insert', {
      collection_name: 'hy', num_rows: 60,
      fields_data: [col.int64('id', a.map((_, i) => i)), col.floatVec('a', dim, a), col.floatVec('b', dim, b)],
    }));
    const qa = randVecs(rand, 1, dim)[0];
    const qb = randVecs(rand, 1, dim)[0];
    const subs = [
      h.searchReq(srv, '', [qa], { topk: 8, anns_field: 'a' }),
      h.searchReq(srv, '', [qb], { topk: 8, anns_field: 'b' }, { filter: 'id < 50' }),
    ];
    const ra = bruteForce(a, qa, 'L2', 8);
    const rb = bruteForce(b, qb, 'IP', 8, (i) => i < 50);
    // RRF, k = 20
    let r = await srv.call('HybridSearch', {
      collection_name: 'hy', requests: subs, output_fields: ['id'],
      rank_params: kv({ strategy: 'rrf', params: JSON.stringify({ k: 20 }), limit: 5, offset: 1, round_decimal: -1 }),
    });
    ok(r);
    const rrf = new Map();
    [ra, rb].forEach((list) => list.forEach((e, rank) => rrf.set(e.id, (rrf.get(e.id) || 0) + 1 / (20 + rank + 1))));
    const expRrf = [...rrf.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(1, 6);
    assert.deepEqual(idsOf(r.results.ids), expRrf.map((e) => String(e[0])));
    expRrf.forEach((e, i) => assert.ok(Math.abs(r.results.scores[i] - e[1]) < 1e-6));
    assert.deepEqual(r.results.topks, ['5']);
    assert.deepEqual(colOf(r.results, 'id').scalars.long_data.data, idsOf(r.results.ids));
    // weighted with Milvus's arctan normalisation
    r = await srv.call('HybridSearch', {
      collection_name: 'hy', requests: subs,
      rank_params: kv({ strategy: 'weighted', params: JSON.stringify({ weights: [0.3, 0.7] }), limit: 4 }),
    });
    ok(r);
    const w = new Map();
    ra.forEach((e) => w.set(e.id, (w.get(e.id) || 0) + 0.3 * (1 - 2 * Math.atan(e.s) / Math.PI)));
    rb.forEach((e) => w.set(e.id, (w.get(e.id) || 0) + 0.7 * (0.5 + Math.atan(e.s) / Math.PI)));
    const expW = [...w.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 4);
    assert.deepEqual(idsOf(r.results.ids), expW.map((e) => String(e[0])));
    expW.forEach((e, i) => assert.ok(Math.abs(r.results.scores[i] - e[1]) < 1e-5));
    err(await srv.call('HybridSearch', {
      collection_name: 'hy', requests: subs, rank_params: kv({ strategy: 'weighted', params: '{"weights":[1]}', limit: 4 }),
    }), 1100, 'the length of weights param mismatch with ann search requests');
  });

  test('search iterator v2 pages through all results in order without duplicates', async () => {
    const srv = h.makeServer();
    const dim = 4;
    const vectors = await vecCollection(srv, 'it', 53, dim, 'L2');
    // equal vectors make ties at page boundaries
    ok(await srv.call('Upsert', {
      collection_name: 'it', num_rows: 3,
      fields_data: [col.int64('id', [0, 1, 2]), col.floatVec('v', dim, [vectors[5], vectors[5], vectors[5]]),
        col.int64('tag', [0, 1, 2]), col.varchar('name', ['a', 'b', 'c'])],
    }));
    const q = randVecs(h.rng(3), 1, dim)[0];
    const base = { topk: 7, iterator: 'true', search_iter_v2: 'true', search_iter_batch_size: 7, collection_id: '1' };
    // the client's compatibility probe
    let r = await srv.call('Search', h.searchReq(srv, 'it', [q], { ...base, topk: 1, search_iter_batch_size: 1 }));
    ok(r);
    assert.ok(r.results.search_iterator_v2_results.token.length > 0);
    const seen = [];
    const scores = [];
    let params = { ...base };
    for (let page = 0; page < 20; page++) {
      r = await srv.call('Search', h.searchReq(srv, 'it', [q], params, { filter: 'tag != 6' }));
      ok(r);
      const ids = idsOf(r.results.ids);
      if (ids.length === 0) break;
      assert.ok(ids.length <= 7);
      seen.push(...ids);
      scores.push(...r.results.scores);
      const info = r.results.search_iterator_v2_results;
      params = { ...base, search_iter_id: info.token, search_iter_last_bound: String(info.last_bound) };
    }
    const expected = [...Array(53).keys()].filter((i) => i % 7 !== 6);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    assert.deepEqual(seen.map(Number).sort((x, y) => x - y), expected);
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i] >= scores[i - 1], 'non-decreasing distances');
    err(await srv.call('Search', h.searchReq(srv, 'it', [q, q], base)), 1100, 'multiple vectors');
  });

  test('query: limit/offset, pk-ordered iterator pagination, count(*), get by ids', async () => {
    const srv = h.makeServer();
    await vecCollection(srv, 'q', 100, 2, 'L2');
    let r = await srv.call('Query', { collection_name: 'q', expr: 'tag == 3', output_fields: ['name'], query_params: kv({ limit: 4, offset: 2 }) });
    ok(r);
    const tag3 = [...Array(100).keys()].filter((i) => i % 7 === 3);
    assert.deepEqual(colOf(r, 'id').scalars.long_data.data, tag3.slice(2, 6).map(String));
    assert.deepEqual(colOf(r, 'name').scalars.string_data.data, tag3.slice(2, 6).map((i) => `n${i}`));
    // the Go client's query iterator: (expr) and id > last, limit = batch
    const got = [];
    let last = null;
    for (let i = 0; i < 50; i++) {
      const expr = last === null ? 'name like "n%"' : `(name like "n%") and id > ${last}`;
      r = await srv.call('Query', { collection_name: 'q', expr, output_fields: ['id'], query_params: kv({ limit: 9, iterator: 'true', reduce_stop_for_best: 'true' }) });
      ok(r);
      const ids = colOf(r, 'id').scalars.long_data.data;
      if (!ids.length) break;
      got.push(...ids);
      last = ids[ids.length - 1];
    }
    assert.deepEqual(got, [...Array(100).keys()].map(String));
    // count(*)
    r = await srv.call('Query', { collection_name: 'q', expr: 'tag in [1, 2]', output_fields: ['count(*)'] });
    ok(r);
    assert.deepEqual(r.output_fields, ['count(*)']);
    assert.deepEqual(colOf(r, 'count(*)').scalars.long_data.data, [String([...Array(100).keys()].filter((i) => i % 7 === 1 || i % 7 === 2).length)]);
    r = await srv.call('Query', { collection_name: 'q', expr: '', output_fields: ['count(*)'] });
    assert.deepEqual(colOf(r, 'count(*)').scalars.long_data.data, ['100']);
    // get by ids, unknown ids ignored
    r = await srv.call('Query', { collection_name: 'q', expr: 'id in [42, 7, 1000]', output_fields: ['tag'] });
    ok(r);
    assert.deepEqual(colOf(r, 'id').scalars.long_data.data, ['7', '42']);
    assert.deepEqual(colOf(r, 'tag').scalars.long_data.data, ['0', '0']);
  });

  test('upsert, partial update and delete', async () => {
    const srv = h.makeServer();
    await vecCollection(srv, 'u', 10, 2, 'L2');
    let r = await srv.call('Upsert', {
      collection_name: 'u', num_rows: 2,
      fields_data: [col.int64('id', [3, 20]), col.floatVec('v', 2, [[9, 9], [8, 8]]), col.int64('tag', [100, 200]), col.varchar('name', ['x', 'y'])],
    });
    ok(r);
    assert.equal(r.upsert_cnt, '2');
    assert.deepEqual(r.IDs.int_id.data, ['3', '20']);
    r = await srv.call('Query', { collection_name: 'u', expr: 'id in [3, 20]', output_fields: ['tag', 'name', 'v'] });
    assert.deepEqual(colOf(r, 'tag').scalars.long_data.data, ['100', '200']);
    assert.deepEqual(colOf(r, 'v').vectors.float_vector.data, [9, 9, 8, 8]);
    // partial update: only `name` changes
    r = await srv.call('Upsert', { collection_name: 'u', num_rows: 1, partial_update: true, fields_data: [col.int64('id', [4]), col.varchar('name', ['renamed'])] });
    ok(r);
    r = await srv.call('Query', { collection_name: 'u', expr: 'id == 4', output_fields: ['tag', 'name', 'v'] });
    assert.deepEqual(colOf(r, 'name').scalars.string_data.data, ['renamed']);
    assert.deepEqual(colOf(r, 'tag').scalars.long_data.data, ['4']);
    assert.equal(colOf(r, 'v').vectors.float_vector.data.length, 2);
    // a partial update of a new key must still give every required field
    err(await srv.call('Upsert', { collection_name: 'u', num_rows: 1, partial_update: true, fields_data: [col.int64('id', [77]), col.varchar('name', ['n'])] }),
      1100, 'fieldSchema(v) has no corresponding fieldData pass in');
    // delete by ids reports the listed keys; delete by filter the matched ones
    r = await srv.call('Delete', { collection_name: 'u', expr: 'id in [1, 2, 999]' });
    ok(r);
    assert.equal(r.delete_cnt, '3');
    r = await srv.call('Delete', { collection_name: 'u', expr: 'tag >= {t}', expr_template_values: { t: { int64_val: '100' } } });
    ok(r);
    assert.equal(r.delete_cnt, '2');
    assert.deepEqual(r.IDs, {}, 'a delete reports no ids, like the proxy\'s deleteRunner');
    r = await srv.call('Query', { collection_name: 'u', expr: '', output_fields: ['count(*)'] });
    assert.deepEqual(colOf(r, 'count(*)').scalars.long_data.data, ['7']);
    r = await srv.call('Search', h.searchReq(srv, 'u', [[9, 9]], { topk: 3 }));
    assert.ok(!idsOf(r.results.ids).includes('3'), 'deleted rows are not searchable');
  });

  test('throughput: small searches on a few thousand rows', async (t) => {
    const srv = h.makeServer();
    await vecCollection(srv, 'perf', 3000, 32, 'COSINE');
    const queries = randVecs(h.rng(11), 50, 32);
    const reqs = queries.map((q) => h.searchReq(srv, 'perf', [q], { topk: 10 }, { output: ['tag'] }));
    const search = srv.handlers.Search;
    const ctx = { state: srv.state, ok: () => ({ code: 0 }), get db() { return srv.state.getDatabase('default'); } };
    const decoded = reqs.map((r) => srv.schema.decode('milvus.proto.milvus.SearchRequest', srv.encode('milvus.proto.milvus.SearchRequest', r)));
    const t0 = process.hrtime.bigint();
    const N = 1000;
    for (let i = 0; i < N; i++) await search(decoded[i % decoded.length], ctx);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    t.diagnostic(`${N} searches over 3000x32 in ${ms.toFixed(0)} ms (${(N / ms * 1000).toFixed(0)}/s)`);
    assert.ok(ms < 4000, `too slow: ${ms} ms`);
  });
}
