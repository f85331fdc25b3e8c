// SPDX-License-Identifier: Apache-2.0
'use strict';
// The upstream Milvus wire schema, taken from the official Node SDK's
// protobufjs JSON, plus the export-snapshot definitions that SDK 3.0.6 does
// not carry yet (checked against milvus-io/milvus-proto proto/milvus.proto).

const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const SDK_JSON = '@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js';

const LOADER_OPTIONS = {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
};

const SERVICE = 'milvus.proto.milvus.MilvusService';
const TELEMETRY_SERVICE = 'milvus.proto.milvus.ClientTelemetryService';

const EXPORT_STATE_VALUES = {
  ExportSnapshotNone: 0,
  ExportSnapshotPending: 1,
  ExportSnapshotExecuting: 2,
  ExportSnapshotCompleted: 3,
  ExportSnapshotFailed: 4,
};

function exportSnapshotInfoFields() {
  return {
    job_id: { type: 'int64', id: 1 },
    snapshot_name: { type: 'string', id: 2 },
    db_name: { type: 'string', id: 3 },
    collection_name: { type: 'string', id: 4 },
    state: { type: 'ExportSnapshotState', id: 5 },
    progress: { type: 'int32', id: 6 },
    reason: { type: 'string', id: 7 },
    start_time: { type: 'uint64', id: 8 },
    time_cost: { type: 'uint64', id: 9 },
    total_files: { type: 'int64', id: 10 },
    copied_files: { type: 'int64', id: 11 },
    snapshot_metadata_uri: { type: 'string', id: 12 },
    total_bytes: { type: 'int64', id: 13 },
  };
}

// Adds what the SDK JSON lacks; leaves anything already present alone so a
// newer SDK with the real definitions wins.
function addExportSnapshotDefinitions(json) {
  const ns = json.nested.milvus.nested.proto.nested.milvus.nested;
  const methods = ns.MilvusService.methods;
  if (!ns.ExportSnapshotState) ns.ExportSnapshotState = { values: EXPORT_STATE_VALUES };
  if (!ns.ExportSnapshotInfo) ns.ExportSnapshotInfo = { fields: exportSnapshotInfoFields() };
  if (!ns.GetExportSnapshotStateRequest) {
    ns.GetExportSnapshotStateRequest = {
      fields: { base: { type: 'common.MsgBase', id: 1 }, job_id: { type: 'int64', id: 2 } },
    };
  }
  if (!ns.GetExportSnapshotStateResponse) {
    ns.GetExportSnapshotStateResponse = {
      fields: { status: { type: 'common.Status', id: 1 }, info: { type: 'ExportSnapshotInfo', id: 2 } },
    };
  }
  const exportResp = ns.ExportSnapshotResponse.fields;
  if (!exportResp.job_id) exportResp.job_id = { type: 'int64', id: 3 };
  if (!methods.GetExportSnapshotState) {
    methods.GetExportSnapshotState = {
      requestType: 'GetExportSnapshotStateRequest',
      responseType: 'GetExportSnapshotStateResponse',
    };
  }
  return json;
}

function loadJson() {
  // Deep copy: the SDK module object is shared with any SDK user in-process.
  const original = require(SDK_JSON).default;
  return addExportSnapshotDefinitions(JSON.parse(JSON.stringify(original)));
}

let cached = null;

// Returns { json, packageDefinition, root, service, telemetry, types }.
function load() {
  if (cached) return cached;
  const json = loadJson();
  const packageDefinition = protoLoader.fromJSON(json, LOADER_OPTIONS);
  const root = protobuf.Root.fromJSON(json);
  cached = {
    json,
    packageDefinition,
    root,
    service: packageDefinition[SERVICE],
    telemetry: packageDefinition[TELEMETRY_SERVICE] || null,
  };
  return cached;
}

const TO_OBJECT = { longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true };

// Decodes bytes of a message type by full name, to the same plain-object
// shape the dispatcher hands to handlers.
function decode(typeName, buffer) {
  const type = load().root.lookupType(typeName);
  return type.toObject(type.decode(buffer), TO_OBJECT);
}

function encode(typeName, object) {
  const type = load().root.lookupType(typeName);
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

module.exports = {
  load, decode, encode, addExportSnapshotDefinitions, SERVICE, TELEMETRY_SERVICE, LOADER_OPTIONS,
};
