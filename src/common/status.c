/* SPDX-License-Identifier: Apache-2.0 */
/* Status strings and version. */
#include <milvus/common.h>

const char *milvus_strerror(int status)
{
    switch (status) {
    case MILVUS_OK: return "success";
    case MILVUS_ERR_INVALID_ARGUMENT: return "invalid argument";
    case MILVUS_ERR_NOMEM: return "out of memory";
    case MILVUS_ERR_BUSY: return "too many pending calls";
    case MILVUS_ERR_CLOSED: return "client or channel is closed";
    case MILVUS_ERR_TOO_LARGE: return "request exceeds the maximum send size";
    case MILVUS_ERR_RESOLVE: return "host name could not be resolved";
    case MILVUS_ERR_CONNECT: return "could not connect to the server";
    case MILVUS_ERR_TLS: return "TLS error";
    case MILVUS_ERR_PROTOCOL: return "protocol error";
    case MILVUS_ERR_DISCONNECTED: return "connection lost";
    case MILVUS_ERR_TIMEOUT: return "deadline exceeded";
    case MILVUS_ERR_CANCELLED: return "cancelled";
    case MILVUS_ERR_GRPC: return "the server returned a gRPC error";
    case MILVUS_ERR_SERVER: return "Milvus returned an error";
    default: return "unknown status";
    }
}

const char *milvus_grpc_code_name(int code)
{
    static const char *const names[] = {
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    };
    if (code < 0 || code >= (int)(sizeof(names) / sizeof(names[0])))
        return "UNKNOWN";
    return names[code];
}
