// SPDX-License-Identifier: Apache-2.0
// node_sdk_search.js: the official Node SDK anchor of the benchmark suite.
//
//   node node_sdk_search.js --port P [--inflight N] [--calls M] [--warmup W]
//
// Runs MilvusClient.search() (1 query vector of dim 768, topk 100, output
// fields title/price/year) against the suite's canned server with N calls
// in flight until M completed, reads every hit's id, score and fields, and
// (this SDK version leaves the id out of a hit when the primary key is not
// an output field), and prints the process CPU time (process.cpuUsage: user+sys) per completed
// call as one "BENCH key=value" line -- the same measure mv_suite search
// prints for libmilvus.
'use strict';
const { MilvusClient } = require('@zilliz/milvus2-sdk-node');

function arg(name, def) {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : def;
}
const port = arg('--port', 0);
const inflight = arg('--inflight', 1);
const calls = arg('--calls', 2000);
const warmup = arg('--warmup', Math.max(Math.floor(calls / 10), inflight));
if (!port) {
    console.error('usage: node_sdk_search.js --port P [--inflight N] [--calls M] [--warmup W]');
    process.exit(2);
}

const vector = Array.from({ length: 768 }, (_, i) => ((i * 7919) % 1000) / 1000);
let checksum = 0;

function touch(res) {
    if (res.status.error_code !== 'Success' || res.results.length !== 100)
        throw new Error(`unexpected search result: ${JSON.stringify(res.status)} ${res.results.length} hits`);
    for (const h of res.results)
        checksum += Number(h.id || 0) + h.score + h.title.length + h.price + Number(h.year);
}

async function run(client, n) {
    let next = 0;
    const lat = [];
    async function worker() {
        while (next < n) {
            next++;
            const t0 = process.hrtime.bigint();
            touch(await client.search({
                collection_name: 'bench', data: [vector], anns_field: 'vec', limit: 100,
                output_fields: ['title', 'price', 'year'],
            }));
            lat.push(Number(process.hrtime.bigint() - t0) / 1000);
        }
    }
    await Promise.all(Array.from({ length: Math.min(inflight, n) }, worker));
    return lat.sort((a, b) => a - b);
}

(async () => {
    const client = new MilvusClient({ address: `127.0.0.1:${port}`, timeout: 60000 });
    await client.connectPromise;
    await run(client, warmup);
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const lat = await run(client, calls);
    const cpu = process.cpuUsage(c0);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const p = (q) => lat[Math.round(q * (lat.length - 1))].toFixed(1);
    console.log(`BENCH mode=search impl=node_sdk inflight=${inflight} calls=${calls} ` +
        `cpu_us_per_call=${((cpu.user + cpu.system) / calls).toFixed(3)} wall_s=${wall.toFixed(3)} ` +
        `calls_per_s=${(calls / wall).toFixed(0)} p50_us=${p(0.5)} p90_us=${p(0.9)} p99_us=${p(0.99)} ` +
        `checksum=${checksum.toFixed(0)}`);
    await client.closeConnection();
    process.exit(0);
})().catch((e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
});
