/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — the low-level gRPC channel.
 *
 * A channel is a pool of HTTP/2 connections to one server, run on the
 * caller's struct event_base.  It carries any gRPC method: a method path
 * ("/package.Service/Method") and a serialized request in, a gRPC status
 * and response bytes out.  The typed Milvus API (<milvus/client.h>) is built
 * on it; use it directly to reach an RPC the typed API does not cover.
 *
 * Contracts
 *  - Submission: a submitting function returns MILVUS_OK and later invokes
 *    its completion callback exactly once, from the event loop (never from
 *    inside the submitting function) -- or it returns an error and invokes
 *    nothing.
 *  - Ownership: the request bytes, path and metadata are copied before the
 *    submitting function returns.  The milvus_reply passed to a callback and
 *    every pointer taken from it are valid until the callback returns.
 *  - Re-entrancy: submitting, cancelling, closing and freeing are allowed
 *    from inside any callback.
 *  - Cancel: milvus_channel_cancel() completes the call with
 *    MILVUS_ERR_CANCELLED (and sends RST_STREAM CANCEL when a stream is
 *    open).  Cancelling a completed or unknown call id is a no-op.
 *  - Free: milvus_channel_free() completes every pending call with
 *    MILVUS_ERR_CANCELLED before it returns.
 *  - Threads: a channel belongs to the thread running its event_base; the
 *    library starts no threads and takes no locks.
 *  - Signals: the library never changes a signal disposition or mask, and
 *    none of its socket writes can raise SIGPIPE (plaintext and TLS alike
 *    send with MSG_NOSIGNAL): a server that closes first costs the calls on
 *    that connection MILVUS_ERR_DISCONNECTED, never the process.  A program
 *    may keep SIGPIPE at its default.
 */
#ifndef MILVUS_CHANNEL_H
#define MILVUS_CHANNEL_H

#include <milvus/common.h>
#include <milvus/options.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;

typedef struct milvus_channel milvus_channel;
typedef struct milvus_reply milvus_reply;
typedef struct milvus_call_options milvus_call_options;

/* Identifies a submitted call for milvus_channel_cancel(); never 0. */
typedef uint64_t milvus_call_id;

/* ---- per-call options ------------------------------------------------ */

/* Setters refuse values as the option objects of <milvus/client.h> do: the
 * previous value stays, milvus_call_options_last_error() names the setter,
 * the value and what is accepted, and a call submitted with the invalid
 * object fails with MILVUS_ERR_INVALID_ARGUMENT and that message
 * (milvus_channel_last_error()) until the same setter (add_metadata: for
 * the same key) accepts a value. */
MILVUS_EXTERN milvus_call_options *milvus_call_options_new(void);
MILVUS_EXTERN void milvus_call_options_free(milvus_call_options *co);
/* A deep copy (refused values included), or NULL when out of memory or co
 * is NULL. */
MILVUS_EXTERN milvus_call_options *milvus_call_options_dup(const milvus_call_options *co);
/* The message of the newest refused value, "" when none or co is NULL;
 * never NULL. */
MILVUS_EXTERN const char *milvus_call_options_last_error(const milvus_call_options *co);
/* Deadline relative to submission: 0 (default) = the channel default, up
 * to 3153600000000 (100 years); a negative one is refused. */
MILVUS_EXTERN milvus_status milvus_call_options_set_timeout_ms(milvus_call_options *co, int64_t ms);
/* Metadata for this call only ("-bin" keys take binary values; other keys
 * must be lowercase [0-9a-z_.-], neither "grpc-*" nor a header the
 * transport writes, and values len bytes of printable ASCII; value NULL
 * only with len 0). */
MILVUS_EXTERN milvus_status milvus_call_options_add_metadata(milvus_call_options *co,
                                                             const char *key, const void *value,
                                                             size_t len);
/* Whether the call may be retried after it reached the server (idempotent
 * reads).  Unprocessed attempts are always retried transparently. */
MILVUS_EXTERN milvus_status milvus_call_options_set_idempotent(milvus_call_options *co,
                                                               int idempotent);
/* Whether retries of retriable failures are allowed at all (default 1). */
MILVUS_EXTERN milvus_status milvus_call_options_set_retry(milvus_call_options *co, int enable);

/* ---- channel ---------------------------------------------------------- */

/* Creates a channel on base.  Connections are opened lazily, on the first
 * call.  *out receives the channel.  Returns MILVUS_OK,
 * MILVUS_ERR_INVALID_ARGUMENT (also for options holding a refused setter
 * value: milvus_options_last_error(opts) names it), MILVUS_ERR_TLS (CA or
 * certificate files unreadable) or MILVUS_ERR_NOMEM. */
MILVUS_EXTERN milvus_status milvus_channel_new(milvus_channel **out, struct event_base *base,
                                               const milvus_options *opts);

/* Frees the channel at once: every pending call completes with
 * MILVUS_ERR_CANCELLED before this returns.  Safe from a callback (the
 * free is deferred until the callback returns).  NULL is a no-op. */
MILVUS_EXTERN void milvus_channel_free(milvus_channel *ch);

typedef void (*milvus_channel_closed_cb)(milvus_channel *ch, void *ctx);
/* Graceful close: no new calls are accepted (MILVUS_ERR_CLOSED); pending
 * calls finish; then cb runs (from the loop) and the caller frees the
 * channel.  cb may be NULL. */
MILVUS_EXTERN milvus_status milvus_channel_close(milvus_channel *ch, milvus_channel_closed_cb cb,
                                                 void *ctx);

/* The message of the last synchronous error on this channel, e.g.
 * "request of 70000000 bytes exceeds max send size 67108864"; never NULL. */
MILVUS_EXTERN const char *milvus_channel_last_error(const milvus_channel *ch);

/* Number of calls submitted and not yet completed. */
MILVUS_EXTERN size_t milvus_channel_pending(const milvus_channel *ch);

/* Replaces (value != NULL) or removes (value == NULL) a metadata entry sent
 * on every later call of this channel (used for Milvus "identifier",
 * "dbname", "authorization"). */
MILVUS_EXTERN milvus_status milvus_channel_set_metadata(milvus_channel *ch, const char *key,
                                                        const void *value, size_t len);

/* ---- calls ------------------------------------------------------------ */

/* Completion callback.  status is MILVUS_OK when the gRPC status was OK;
 * otherwise MILVUS_ERR_GRPC (see milvus_reply_grpc_code()) or a transport
 * or local error.  reply is never NULL. */
typedef void (*milvus_reply_cb)(milvus_channel *ch, int status, const milvus_reply *reply,
                                void *ctx);

/* One message of a server stream; data is valid until the callback
 * returns.  Return 0 to continue, non-zero to cancel the call. */
typedef int (*milvus_message_cb)(milvus_channel *ch, const uint8_t *data, size_t len, void *ctx);

/* Unary call.  On success the reply carries exactly one response message
 * (milvus_reply_data()); milvus_channel_last_call() then names the call.
 * Returns MILVUS_OK, MILVUS_ERR_INVALID_ARGUMENT, MILVUS_ERR_TOO_LARGE,
 * MILVUS_ERR_BUSY, MILVUS_ERR_CLOSED or MILVUS_ERR_NOMEM. */
MILVUS_EXTERN milvus_status milvus_channel_unary(milvus_channel *ch, const char *method_path,
                                                 const void *req, size_t req_len,
                                                 const milvus_call_options *co, milvus_reply_cb cb,
                                                 void *ctx);

/* Server-streaming call: on_message runs once per response message in
 * order, then cb once with the final status (the reply then has no data). */
MILVUS_EXTERN milvus_status milvus_channel_server_stream(
    milvus_channel *ch, const char *method_path, const void *req, size_t req_len,
    const milvus_call_options *co, milvus_message_cb on_message, milvus_reply_cb cb, void *ctx);

/* The id of the last call submitted successfully on ch (0: none yet), to
 * pass to milvus_channel_cancel(); read it right after the submission, as
 * milvus_client_last_call() for the typed API. */
MILVUS_EXTERN milvus_call_id milvus_channel_last_call(const milvus_channel *ch);

/* Cancels a call (see the contract above).  Returns MILVUS_OK, also for
 * an id that has already completed. */
MILVUS_EXTERN milvus_status milvus_channel_cancel(milvus_channel *ch, milvus_call_id id);

/* ---- reply accessors (valid during the callback) ---------------------- */

MILVUS_EXTERN int milvus_reply_status(const milvus_reply *r);
/* gRPC status code; MILVUS_GRPC_OK when the call succeeded.  For local and
 * transport errors the code the gRPC spec assigns (e.g. DEADLINE_EXCEEDED,
 * UNAVAILABLE, CANCELLED). */
MILVUS_EXTERN int milvus_reply_grpc_code(const milvus_reply *r);
/* Decoded grpc-message or a local description; never NULL.  A NUL byte in
 * the server's grpc-message shows as the four characters \x00; other bytes
 * are as received (print it with milvus_escape_text()). */
MILVUS_EXTERN const char *milvus_reply_message(const milvus_reply *r);
/* The server's grpc-message exactly as received, percent-decoded: *len
 * bytes, any byte value (NUL included), not NUL-terminated; NULL and 0
 * when the server sent none.  Valid during the callback. */
MILVUS_EXTERN const uint8_t *milvus_reply_grpc_message_bytes(const milvus_reply *r, size_t *len);
/* The unary response message (NULL/0 when none). */
MILVUS_EXTERN const uint8_t *milvus_reply_data(const milvus_reply *r, size_t *len);
/* Response header (initial metadata) or trailer by name; the n-th value
 * (0-based) for repeated keys.  "-bin" values are returned decoded.
 * Returns NULL when absent. */
MILVUS_EXTERN const uint8_t *milvus_reply_header(const milvus_reply *r, const char *name, size_t n,
                                                 size_t *len);
MILVUS_EXTERN const uint8_t *milvus_reply_trailer(const milvus_reply *r, const char *name, size_t n,
                                                  size_t *len);
/* Number of attempts made (1 + retries). */
MILVUS_EXTERN int milvus_reply_attempts(const milvus_reply *r);

#ifdef __cplusplus
}
#endif

#endif /* MILVUS_CHANNEL_H */
