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

module.exports = { MilvusError, GrpcError, okStatus };
