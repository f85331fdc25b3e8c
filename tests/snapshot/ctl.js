// SPDX-License-Identifier: Apache-2.0
'use strict';
// Helper of milvusctl.sh:
//   node ctl.js ADDRESS setup COLLECTION   create COLLECTION (id, vec dim 8) with 20 rows
//   node ctl.js ADDRESS control JSON       /milvus.test.Control/Set of the test server
const [address, what, arg] = process.argv.slice(2);

async function setup() {
  const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
  const client = new MilvusClient({ address, token: process.env.MILVUS_TOKEN || undefined });
  await check(client.createCollection({
    collection_name: arg,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'vec', data_type: DataType.FloatVector, dim: 8 },
    ],
  }));
  const rows = [];
  for (let i = 0; i < 20; i++) rows.push({ id: i, vec: Array.from({ length: 8 }, (_, d) => (i + d) / 10) });
  await check(client.insert({ collection_name: arg, data: rows }));
  await check(client.flush({ collection_names: [arg] }));
  client.closeConnection();
}

async function check(p) {
  const r = await p;
  const st = r && (r.status || r);
  if (st && st.error_code && st.error_code !== 'Success') throw new Error(JSON.stringify(st));
  return r;
}

function control() {
  const grpc = require('@grpc/grpc-js');
  const id = (b) => b;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  client.makeUnaryRequest('/milvus.test.Control/Set', id, id, Buffer.from(arg), (err, res) => {
    client.close();
    if (err) { console.error(err.message); process.exit(1); }
    process.stdout.write(res.toString() + '\n');
  });
}

if (what === 'setup') setup().catch((e) => { console.error(e.message); process.exit(1); });
else if (what === 'control') control();
else { console.error('usage: ctl.js ADDRESS setup|control ARG'); process.exit(2); }
