// SPDX-License-Identifier: Apache-2.0
// gen_canned.js OUTDIR: builds the canned Milvus response messages the
// benchmark server (canned_server.go) returns, encoded with protobufjs from
// the upstream schema the official Node SDK ships -- an encoder independent
// of libmilvus's protobuf-c one.
//
//   describe.bin       DescribeCollectionResponse: id Int64 pk, vec
//                      FloatVector(768), title VarChar, price Float, year Int64
//   search.bin         SearchResults: 1 query, topk 100, output fields
//                      title/price/year, int64 ids, scores
//   insert_resp.bin    MutationResult for a 10,000-row insert (ids, succ_index)
//   restore.bin        RestoreSnapshotResponse (job 42)
//   restore_state.bin, restore_state2.bin
//                      GetRestoreSnapshotStateResponse: job 42 Executing 50 %
//                      and 51 % (the server alternates them, so that every
//                      poll of an await reports progress)
//   connect.bin        ConnectResponse
'use strict';
const fs = require('fs');
const path = require('path');
const pb = require('protobufjs');
const j = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js');

const out = process.argv[2];
if (!out) {
    console.error('usage: gen_canned.js OUTDIR');
    process.exit(2);
}
const root = pb.Root.fromJSON(j.default || j);
const T = (n) => root.lookupType(n);
const ok = { error_code: 0, code: 0, reason: '' };
const TOPK = 100;
const INSERT_ROWS = 10000;

function write(name, type, obj) {
    const t = T(type);
    const err = t.verify(obj);
    if (err) throw new Error(`${name}: ${err}`);
    const buf = t.encode(t.fromObject(obj)).finish();
    fs.writeFileSync(path.join(out, name), buf);
    return buf.length;
}

// deterministic pseudo-random numbers (the same files on every run)
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);

const schema = {
    name: 'bench',
    fields: [
        { fieldID: 100, name: 'id', is_primary_key: true, data_type: 5 },
        { fieldID: 101, name: 'vec', data_type: 101, type_params: [{ key: 'dim', value: '768' }] },
        { fieldID: 102, name: 'title', data_type: 21, type_params: [{ key: 'max_length', value: '256' }] },
        { fieldID: 103, name: 'price', data_type: 10 },
        { fieldID: 104, name: 'year', data_type: 5 },
    ],
};

const sizes = {};
sizes.describe = write('describe.bin', 'milvus.proto.milvus.DescribeCollectionResponse', {
    status: ok, schema, collectionID: 4242, shards_num: 1, consistency_level: 2,
    collection_name: 'bench', db_name: 'default', created_timestamp: 1, update_timestamp: 1,
    virtual_channel_names: ['by-dev-rootcoord-dml_0_4242v0'],
    physical_channel_names: ['by-dev-rootcoord-dml_0'],
});

const ids = [], scores = [], titles = [], prices = [], years = [];
for (let i = 0; i < TOPK; i++) {
    ids.push(100000 + Math.floor(rnd() * 1e9));
    scores.push(1 - i / TOPK - rnd() / 1000);
    titles.push(`Document title number ${i} about vector search ${Math.floor(rnd() * 1e6)}`);
    prices.push(Math.round(rnd() * 100000) / 100);
    years.push(1990 + Math.floor(rnd() * 35));
}
sizes.search = write('search.bin', 'milvus.proto.milvus.SearchResults', {
    status: ok,
    results: {
        num_queries: 1, top_k: TOPK,
        fields_data: [
            { type: 21, field_name: 'title', field_id: 102, scalars: { string_data: { data: titles } } },
            { type: 10, field_name: 'price', field_id: 103, scalars: { float_data: { data: prices } } },
            { type: 5, field_name: 'year', field_id: 104, scalars: { long_data: { data: years } } },
        ],
        scores, ids: { int_id: { data: ids } }, topks: [TOPK],
        output_fields: ['title', 'price', 'year'], primary_field_name: 'id',
    },
    collection_name: 'bench', session_ts: 1,
});

const ins = [], succ = [];
for (let i = 0; i < INSERT_ROWS; i++) {
    ins.push(1000000 + i);
    succ.push(i);
}
sizes.insert_resp = write('insert_resp.bin', 'milvus.proto.milvus.MutationResult', {
    status: ok, IDs: { int_id: { data: ins } }, succ_index: succ, insert_cnt: INSERT_ROWS,
    timestamp: 449000000000000000,
});
sizes.restore = write('restore.bin', 'milvus.proto.milvus.RestoreSnapshotResponse',
    { status: ok, job_id: 42 });
const restoreState = (progress) => ({
    status: ok,
    info: { job_id: 42, snapshot_name: 'snap', db_name: 'default', collection_name: 'bench_restored',
        state: 2, progress, start_time: 1700000000000, time_cost: 1000 },
});
sizes.restore_state = write('restore_state.bin',
    'milvus.proto.milvus.GetRestoreSnapshotStateResponse', restoreState(50));
write('restore_state2.bin', 'milvus.proto.milvus.GetRestoreSnapshotStateResponse', restoreState(51));
sizes.connect = write('connect.bin', 'milvus.proto.milvus.ConnectResponse', {
    status: ok, server_info: { build_tags: 'canned-bench', build_time: 'now', git_commit: 'x',
        deploy_mode: 'CLUSTER' }, identifier: 7,
});
console.log(Object.entries(sizes).map(([k, v]) => `${k}=${v}`).join(' '));
