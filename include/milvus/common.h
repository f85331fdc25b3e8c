/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — common definitions: export macro, status codes.
 *
 * Every public function of libmilvus returns a milvus_status (0 on success,
 * a negative MILVUS_ERR_* value otherwise) or a pointer.  Errors come from
 * three domains, and a caller can always tell which one:
 *
 *   local      INVALID_ARGUMENT, NOMEM, BUSY, CLOSED, TOO_LARGE
 *   transport  RESOLVE, CONNECT, TLS, PROTOCOL, DISCONNECTED, TIMEOUT,
 *              CANCELLED
 *   remote     GRPC (a non-OK gRPC status; see milvus_reply_grpc_code())
 *              SERVER (a Milvus common.Status with a non-zero code)
 */
#ifndef MILVUS_COMMON_H
#define MILVUS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(BUILDING_LIBMILVUS) && defined(__GNUC__)
#define MILVUS_EXTERN __attribute__((visibility("default")))
#else
#define MILVUS_EXTERN
#endif

typedef enum milvus_status {
    MILVUS_OK = 0,

    /* local: nothing was sent */
    MILVUS_ERR_INVALID_ARGUMENT = -1,
    MILVUS_ERR_NOMEM = -2,
    MILVUS_ERR_BUSY = -3,      /* the pending-call cap is reached */
    MILVUS_ERR_CLOSED = -4,    /* the channel or client is closing/closed */
    MILVUS_ERR_TOO_LARGE = -5, /* request larger than the send limit */

    /* transport */
    MILVUS_ERR_RESOLVE = -10,      /* host name did not resolve */
    MILVUS_ERR_CONNECT = -11,      /* TCP connect failed or timed out */
    MILVUS_ERR_TLS = -12,          /* handshake, verification or ALPN */
    MILVUS_ERR_PROTOCOL = -13,     /* peer broke HTTP/2 or gRPC rules */
    MILVUS_ERR_DISCONNECTED = -14, /* connection lost during the call */
    MILVUS_ERR_TIMEOUT = -15,      /* the call's deadline passed */
    MILVUS_ERR_CANCELLED = -16,    /* cancelled locally, or the handle freed */

    /* remote */
    MILVUS_ERR_GRPC = -20,   /* the server answered a non-OK gRPC status */
    MILVUS_ERR_SERVER = -21, /* Milvus answered a non-zero common.Status */
} milvus_status;

/* gRPC status codes (grpc/doc/statuscodes.md). */
typedef enum milvus_grpc_code {
    MILVUS_GRPC_OK = 0,
    MILVUS_GRPC_CANCELLED = 1,
    MILVUS_GRPC_UNKNOWN = 2,
    MILVUS_GRPC_INVALID_ARGUMENT = 3,
    MILVUS_GRPC_DEADLINE_EXCEEDED = 4,
    MILVUS_GRPC_NOT_FOUND = 5,
    MILVUS_GRPC_ALREADY_EXISTS = 6,
    MILVUS_GRPC_PERMISSION_DENIED = 7,
    MILVUS_GRPC_RESOURCE_EXHAUSTED = 8,
    MILVUS_GRPC_FAILED_PRECONDITION = 9,
    MILVUS_GRPC_ABORTED = 10,
    MILVUS_GRPC_OUT_OF_RANGE = 11,
    MILVUS_GRPC_UNIMPLEMENTED = 12,
    MILVUS_GRPC_INTERNAL = 13,
    MILVUS_GRPC_UNAVAILABLE = 14,
    MILVUS_GRPC_DATA_LOSS = 15,
    MILVUS_GRPC_UNAUTHENTICATED = 16,
} milvus_grpc_code;

/* A static English description of a status; never NULL. */
MILVUS_EXTERN const char *milvus_strerror(int status);

/* The canonical name of a gRPC code ("UNAVAILABLE"); never NULL. */
MILVUS_EXTERN const char *milvus_grpc_code_name(int code);

/* Text that came from a server (a gRPC message, a Milvus reason, names
 * and strings in results) is untrusted: printed raw it could move a
 * terminal's cursor, rewrite the screen or forge extra log lines.  This
 * copies len bytes of src to dst (cap bytes, always NUL-terminated when cap
 * > 0) so that the copy is one printable line:
 *   - newline, carriage return (CR LF together) and tab become one space;
 *   - other C0 controls, NUL included, and DEL become \xNN;
 *   - C1 controls (U+0080..U+009F, as UTF-8) become \u00NN;
 *   - bytes that are not well-formed UTF-8 become \xNN;
 *   - everything else, backslashes included, is copied as it is.
 * A copy that does not fit is cut before a whole escape or character,
 * never inside one.  Returns the length the whole escaped text needs,
 * without the NUL (as snprintf does): a return >= cap means it was cut.
 * dst may be NULL with cap 0 to measure.  The log callback, milvusctl and
 * milvus_result_message() apply it; the other accessors of server text
 * (milvus_result_grpc_message(), _reason(), _detail(), names and strings
 * in results, milvus_reply_message()) return the text as received. */
MILVUS_EXTERN size_t milvus_escape_text(char *dst, size_t cap, const char *src, size_t len);

/* Log levels of the optional diagnostic callback. */
typedef enum milvus_log_level {
    MILVUS_LOG_ERROR = 0,
    MILVUS_LOG_WARN = 1,
    MILVUS_LOG_INFO = 2,
    MILVUS_LOG_DEBUG = 3,
} milvus_log_level;

/* Diagnostic callback: called from the event loop with a NUL-terminated
 * message that never contains tokens or passwords.  The message is one
 * line: text from the server in it is escaped (milvus_escape_text()). */
typedef void (*milvus_log_cb)(milvus_log_level level, const char *msg, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MILVUS_COMMON_H */
