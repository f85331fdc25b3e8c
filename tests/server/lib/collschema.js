// SPDX-License-Identifier: Apache-2.0
'use strict';
// CollectionSchema checks done by the proxy's CreateCollection, and the
// fieldID assignment of rootcoord.

const schema = require('./schema');
const { E } = require('./errors');
const { validateName } = require('./names');
const { kvToObject } = require('./util');

const VECTOR_TYPES = new Set([
  'BinaryVector', 'FloatVector', 'Float16Vector', 'BFloat16Vector', 'SparseFloatVector', 'Int8Vector',
]);
const PK_TYPES = new Set(['Int64', 'VarChar']);
const START_FIELD_ID = 100;

function isVector(field) {
  return VECTOR_TYPES.has(field.data_type);
}

function typeParam(field, key) {
  return kvToObject(field.type_params)[key];
}

function decodeSchema(bytes) {
  try {
    return schema.decode('milvus.proto.schema.CollectionSchema', bytes);
  } catch (err) {
    throw E.invalidParameter(`failed to unmarshal collection schema: ${err.message}`);
  }
}

function decodeField(bytes) {
  try {
    return schema.decode('milvus.proto.schema.FieldSchema', bytes);
  } catch (err) {
    throw E.invalidParameter(`failed to unmarshal field schema: ${err.message}`);
  }
}

function checkPrimaryKey(fields) {
  const pks = fields.filter((f) => f.is_primary_key);
  if (pks.length === 0) throw E.invalidParameter('primary key is not specified');
  if (pks.length > 1) {
    throw E.invalidParameter(`there are more than one primary key, field name = ${pks[0].name}, ${pks[1].name}`);
  }
  const pk = pks[0];
  if (!PK_TYPES.has(pk.data_type)) {
    throw E.invalidParameter('the data type of primary key should be Int64 or VarChar');
  }
  if (pk.nullable) throw E.invalidParameter('primary field not support null');
}

function checkVector(field) {
  if (field.data_type === 'SparseFloatVector') return;
  const dim = Number(typeParam(field, 'dim'));
  if (!typeParam(field, 'dim')) {
    throw E.invalidParameter(`dimension is not defined in field type params of field ${field.name}, please check it`);
  }
  if (!Number.isInteger(dim) || dim <= 0 || dim > 32768) {
    throw E.invalidParameter(`invalid dimension: ${typeParam(field, 'dim')} of field ${field.name}. should be in range 2 ~ 32768`);
  }
  if (field.data_type === 'BinaryVector' && dim % 8 !== 0) {
    throw E.invalidParameter(`invalid dimension: ${dim} of field ${field.name}. binary vector dimension should be multiple of 8.`);
  }
}

function checkVarChar(field) {
  const max = typeParam(field, 'max_length');
  if (!max) throw E.invalidParameter(`type param(max_length) should be specified for the field(${field.name}) of collection`);
  const n = Number(max);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) {
    throw E.invalidParameter(`the maximum length specified for the field(${field.name}) should be in (0, 65535], but got ${max} instead`);
  }
}

function checkField(field) {
  validateName('Field', field.name);
  if (field.data_type === 'None') throw E.invalidParameter(`the data type of field ${field.name} is not specified`);
  if (isVector(field)) checkVector(field);
  if (field.data_type === 'VarChar') checkVarChar(field);
  if (field.data_type === 'Array' && (field.element_type === 'None' || !typeParam(field, 'max_capacity'))) {
    throw E.invalidParameter(`element type and max_capacity must be specified for array field ${field.name}`);
  }
}

// Validates a decoded CollectionSchema for collection `name` and assigns
// fieldIDs.  Returns the schema to store.
function prepareSchema(name, decoded) {
  if (decoded.name && decoded.name !== name) {
    throw E.invalidParameter(`collection name [${name}] not matches schema name [${decoded.name}]`);
  }
  const fields = decoded.fields.filter((f) => !f.is_dynamic);
  if (fields.length === 0) throw E.invalidParameter('schema does not contain any field');
  const seen = new Set();
  for (const f of fields) {
    checkField(f);
    if (seen.has(f.name)) throw E.invalidParameter(`duplicated field name ${f.name} found`);
    seen.add(f.name);
  }
  checkPrimaryKey(fields);
  if (!fields.some(isVector)) throw E.invalidParameter('schema does not contain vector field');
  fields.forEach((f, i) => { f.fieldID = String(START_FIELD_ID + i); });
  const pk = fields.find((f) => f.is_primary_key);
  if (decoded.autoID) pk.autoID = true;
  return { ...decoded, name, autoID: pk.autoID, fields };
}

// The shape of a schema that decides whether a repeated CreateCollection is
// the same request (idempotent) or a conflicting one.
function fingerprint(s) {
  return JSON.stringify(s.fields.map((f) => [f.name, f.data_type, f.is_primary_key, f.autoID,
    kvToObject(f.type_params), f.nullable, f.element_type]).concat([s.enable_dynamic_field]));
}

module.exports = {
  VECTOR_TYPES, isVector, typeParam, decodeSchema, decodeField, prepareSchema, checkField, fingerprint,
};
