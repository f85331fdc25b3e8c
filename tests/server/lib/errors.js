// SPDX-License-Identifier: Apache-2.0
'use strict';
// Milvus errors as the proxy returns them: a common.Status inside a gRPC-OK
// response.  Handlers throw MilvusError; the dispatcher turns it into the
// `status` field of the response (or the whole response for RPCs that
// return a bare common.Status).

// Legacy common.ErrorCode names (common.proto) used for `error_code`.
class MilvusError extends Error {
  // code: the Milvus error code (merr numbering, e.g. 100 collection not found)
  // reason: the human-readable reason
  // errorCode: the deprecated common.ErrorCode enum name ('UnexpectedError' default)
  // retriable: whether the client may retry
  constructor(code, reason, errorCode = 'UnexpectedError', retriable = false) {
    super(reason);
    this.code = code;
    this.reason = reason;
    this.errorCode = errorCode;
    this.retriable = retriable;
  }

  toStatus() {
    return {
      error_code: this.errorCode,
      reason: this.reason,
      code: this.code,
      retriable: this.retriable,
      detail: this.reason,
      extra_info: {},
    };
  }
}

// A gRPC-level failure (not a Milvus status): the dispatcher fails the call
// with this gRPC code and message.
class GrpcError extends Error {
  constructor(grpcCode, message) {
    super(message);
    this.grpcCode = grpcCode;
  }
}

function okStatus() {
  return { error_code: 'Success', reason: '', code: 0, retriable: false, detail: '', extra_info: {} };
}

// The deprecated common.ErrorCode that the proxy still fills in next to the
// merr code (merr.oldCode), so old clients that only read error_code work.
const LEGACY_CODES = {
  1: 'NotReadyServe',
  3: 'InsufficientMemoryToLoad',
  8: 'RateLimit',
  100: 'CollectionNotExists',
  200: 'MetaFailed',
  700: 'IndexNotExist',
  1100: 'IllegalArgument',
  1101: 'IllegalArgument',
  1102: 'IllegalArgument',
};

// merr codes whose errors are marked retriable upstream.
const RETRIABLE = new Set([1, 2, 4, 8, 12, 103, 106]);

// A Milvus error the way merr renders it: "<message>[key=value]" for the
// wrapped-fields form (wrapFields renders each field as its own "[k=v]"),
// "<detail>: <message>" for the wrapped-message form.
function merr(code, message, fields, detail) {
  let reason = message;
  if (fields) {
    reason += Object.entries(fields).map(([k, v]) => `[${k}=${v}]`).join('');
  }
  if (detail) reason = `${detail}: ${reason}`;
  const err = new MilvusError(code, reason, LEGACY_CODES[code] || 'UnexpectedError', RETRIABLE.has(code));
  err.withFields = (more) => merr(code, message, { ...(fields || {}), ...more }, detail);
  return err;
}

// merr.WrapErrParameterInvalid(expected, actual, msg): the fields form
// "invalid parameter[expected=E][actual=A]", behind "msg: " when given.
function invalidExpected(expected, actual, msg) {
  return merr(1100, 'invalid parameter', null, msg).withFields({ expected, actual });
}

// Codes and messages from milvus-io/milvus pkg/util/merr/errors.go.  The
// not-found errors of names carry the database as rootcoord's meta table
// raises them (WrapErrCollectionNotFoundWithDB, WrapErrAliasNotFound(db,
// alias), ...): "collection not found[database=default][collection=c]".
const withDb = (db, fields) => (db ? { database: db, ...fields } : fields);
const E = {
  rateLimit: (detail, rate = 0) => merr(8, 'rate limit exceeded', { rate }, detail),
  collectionNotFound: (name, db) => merr(100, 'collection not found', withDb(db, { collection: name })),
  collectionNotLoaded: (name) => merr(101, 'collection not loaded', { collection: name }),
  partitionNotFound: (name, detail) => merr(200, 'partition not found', { partition: name }, detail),
  indexNotFound: (coll, detail) => merr(700, 'index not found', { collection: coll }, detail),
  indexDuplicate: (name, detail) => merr(702, 'index duplicates', { indexName: name }, detail),
  databaseNotFound: (name) => merr(800, 'database not found', { database: name }),
  databaseInvalidName: (detail) => merr(802, 'invalid database name', null, detail),
  invalidParameter: (detail) => merr(1100, 'invalid parameter', null, detail),
  invalidExpected,
  aliasNotFound: (db, alias, detail) => merr(1600, 'alias not found', withDb(db, { alias }), detail),
  aliasConflict: (db, name, detail) => merr(1601, 'alias and collection name conflict', withDb(db, { alias: name }), detail),
  aliasExists: (db, alias, detail) => merr(1602, 'alias already exist', withDb(db, { alias }), detail),
  fieldNotFound: (name, detail) => merr(1700, 'field not found', { field: name }, detail),
  fieldNameInvalid: (name, detail) => merr(1701, 'field name invalid', { field: name }, detail),
  // A plain Go error (fmt.Errorf) where merr.Status finds no merr code:
  // 65535, error_code UnexpectedError, the text as it is.
  plain: (text) => new MilvusError(65535, text, 'UnexpectedError', false),
  unexpected: (detail) => merr(65535, 'unexpected error', null, detail),
  // merr.ErrSnapshotNotFound and merr.ErrSnapshotPinned exist upstream
  // (datacoord: WrapErrSnapshotNotFound(name, "collection <id>"),
  // WrapErrSnapshotPinned(name, "<n> active pins, unpin before dropping"));
  // their numeric codes, and the pinned error's own message, could not be
  // found in the sources available, so 3100, 3101 and "snapshot is pinned"
  // are this server's choice.
  snapshotNotFound: (name, detail) => merr(3100, 'snapshot not found', { snapshot: name }, detail),
  snapshotPinned: (name, detail) => merr(3101, 'snapshot is pinned', { snapshot: name }, detail),
  // datacoord GetRestoreState: WrapErrImportSysFailedMsg("restore job not
  // found: jobID=%d"), merr.ErrImportSysFailed being 2101 "importing data
  // failed on server side".
  restoreJobNotFound: (id) => merr(2101, 'importing data failed on server side', null, `restore job not found: jobID=${id}`),
  // datacoord snapshotExportManager.GetJobInfo: WrapErrParameterInvalidMsg.
  exportJobNotFound: (id) => merr(1100, 'invalid parameter', null, `snapshot export job ${id} not found`),
};

module.exports = { MilvusError, GrpcError, okStatus, merr, E, LEGACY_CODES };
