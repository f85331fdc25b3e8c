/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer 1 — wire: pure gRPC-over-HTTP/2 helpers.  No I/O, no event loop,
 * no nghttp2 session; every function is unit-tested and fuzzed.
 * Internal to libmilvus (never exported).
 */
#ifndef MV_GRPC_WIRE_H
#define MV_GRPC_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* ---- metadata list ------------------------------------------------------
 * An ordered list of (key, value) pairs that owns copies of its strings.
 * Keys are stored lowercase-validated; values are raw bytes (for "-bin"
 * keys the raw binary, base64-encoded only when headers are built). */
typedef struct mv_md_entry {
    char *key;
    size_t key_len;
    uint8_t *value;
    size_t value_len;
} mv_md_entry;

typedef struct mv_md {
    mv_md_entry *v;
    size_t n, cap;
} mv_md;

void mv_md_init(mv_md *md);
void mv_md_free(mv_md *md);
/* Validates key (mv_md_key_valid) and value (mv_md_value_valid unless the
 * key ends in "-bin"), then appends copies.  Returns 0, -1 invalid, -2 NOMEM. */
int mv_md_add(mv_md *md, const char *key, const void *value, size_t len);
/* Removes every entry with key, then adds (value != NULL).  Same returns. */
int mv_md_set(mv_md *md, const char *key, const void *value, size_t len);
int mv_md_copy(mv_md *dst, const mv_md *src); /* dst initialised; 0 or -2 */
/* n-th value for key or NULL. */
const mv_md_entry *mv_md_get(const mv_md *md, const char *key, size_t n);

/* Like mv_md_add with an explicit key length (keys from nghttp2 are not
 * NUL-terminated); allow_reserved as in mv_md_key_valid.  Same returns. */
int mv_md_add_n(mv_md *md, const char *key, size_t key_len, const void *value, size_t len,
                int allow_reserved);
/* For headers and trailers RECEIVED from the server: reserved names are
 * allowed; a "-bin" value is split on ',' and each part base64-decoded
 * (padded or not) into its own entry; other values are stored as received.
 * All or nothing.  Returns 0, -1 (bad key or invalid base64), -2 NOMEM. */
int mv_md_add_from_wire(mv_md *md, const char *key, size_t key_len, const char *value,
                        size_t value_len);

/* Key: non-empty, [0-9a-z_.-] only, not starting with "grpc-" unless
 * allow_reserved, not a pseudo-header.  Returns 1 valid, 0 not.
 * Without allow_reserved also rejects the names the transport writes or
 * HTTP/2 forbids: te, content-type, user-agent, host, connection, upgrade,
 * transfer-encoding, keep-alive, proxy-connection. */
int mv_md_key_valid(const char *key, size_t len, int allow_reserved);
/* ASCII value: bytes 0x20..0x7E.  Returns 1 valid, 0 not. */
int mv_md_value_valid(const uint8_t *value, size_t len);
/* 1 when key ends in "-bin". */
int mv_md_key_is_bin(const char *key, size_t len);

/* ---- request headers ----------------------------------------------------
 * A flat list of header fields, names and values pointing into storage the
 * list owns, in the order gRPC requires: :method POST, :scheme, :path,
 * :authority, te: trailers, content-type: application/grpc, grpc-timeout
 * (when timeout_ns >= 0), grpc-accept-encoding: identity, user-agent,
 * then static metadata, then per-call metadata ("-bin" values base64
 * without padding).  (Order as in wire.md and PROTOCOL-HTTP2.md's
 * Call-Definition: encoding headers before user-agent.) */
typedef struct mv_hdr {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} mv_hdr;

typedef struct mv_hdr_list {
    mv_hdr *v;
    size_t n, cap;
    char *arena; /* owned storage for encoded values */
    size_t arena_len, arena_cap;
} mv_hdr_list;

void mv_hdr_list_init(mv_hdr_list *l);
void mv_hdr_list_free(mv_hdr_list *l);
/* Returns 0, -1 (authority or path NULL) or -2 (NOMEM).  Either metadata
 * list may be NULL; user_agent NULL or "" means "libmilvus/<version>".
 * Every name and value points into static storage or into out->arena (the
 * list is self-contained: the inputs may be freed afterwards).  Strings are
 * also NUL-terminated.  The list may be reused: it is reset, and its
 * storage is only reallocated when too small. */
int mv_request_headers(mv_hdr_list *out, int tls, const char *authority, const char *path,
                       int64_t timeout_ns, const char *user_agent, const mv_md *md_static,
                       const mv_md *md_call);
/* Header list size as SETTINGS_MAX_HEADER_LIST_SIZE counts it:
 * sum of name + value + 32 (RFC 9113 §6.5.2). */
size_t mv_hdr_list_size(const mv_hdr_list *l);

/* ---- message framing ---------------------------------------------------- */
#define MV_FRAME_HDR 5

/* Writes the 5-byte length prefix. */
void mv_frame_header(uint8_t out[MV_FRAME_HDR], uint32_t len, int compressed);

/* Streaming deframer: accepts DATA payloads split anywhere. */
typedef int (*mv_msg_fn)(const uint8_t *msg, size_t len, void *ctx);

enum {
    MV_DEFRAME_OK = 0,
    MV_DEFRAME_TOO_LARGE = -1,  /* message length above max_msg */
    MV_DEFRAME_COMPRESSED = -2, /* flag 1 (no encoding is negotiated) */
    MV_DEFRAME_BAD_FLAG = -3,   /* flag neither 0 nor 1 */
    MV_DEFRAME_NOMEM = -4,
    MV_DEFRAME_ABORTED = -5,   /* the callback returned non-zero */
    MV_DEFRAME_TRUNCATED = -6, /* mv_deframer_finish with a partial message */
};

/* Optional buffer source for a message that must be assembled (it spans
 * several feeds): returns a malloc'ed buffer of *cap >= msg_len bytes that
 * the deframer then owns, or NULL to grow its own buffer as usual. */
typedef uint8_t *(*mv_buf_fn)(void *ctx, size_t msg_len, size_t *cap);

typedef struct mv_deframer {
    uint8_t hdr[MV_FRAME_HDR];
    size_t hdr_have;
    uint32_t msg_len;
    uint8_t *buf;
    size_t buf_have, buf_cap;
    size_t max_msg;
    int error;          /* sticky error, MV_DEFRAME_* */
    uint32_t too_large; /* the offending length when error == TOO_LARGE */
    mv_buf_fn alloc;    /* NULL: none */
    void *alloc_ctx;
} mv_deframer;

void mv_deframer_init(mv_deframer *d, size_t max_msg);
/* Installs a buffer source (after init; kept by reset).  It is asked only
 * once a message's prefix is complete and checked against max_msg, when
 * the current buffer is smaller than the message. */
void mv_deframer_set_alloc(mv_deframer *d, mv_buf_fn fn, void *ctx);
void mv_deframer_free(mv_deframer *d);
/* Feeds bytes; calls fn once per complete message (pointing straight into
 * data when a whole message lies in it, into an internal buffer otherwise;
 * valid only during fn; never NULL, also for a zero-length message).
 * Returns MV_DEFRAME_OK or a sticky error.  A length above max_msg fails
 * as soon as the 5-byte prefix is complete, before anything is buffered;
 * the buffer then grows with the bytes actually received, never straight
 * to the announced length (unless a buffer source supplies one).  fn must not call back into this
 * deframer. */
int mv_deframer_feed(mv_deframer *d, const uint8_t *data, size_t len, mv_msg_fn fn, void *ctx);
/* End of stream: MV_DEFRAME_OK when no partial message is pending. */
int mv_deframer_finish(const mv_deframer *d);
/* Back to the initial state (error cleared), keeping the buffer for reuse. */
void mv_deframer_reset(mv_deframer *d);
/* Payload bytes still missing from the message being received: non-zero
 * only between a complete 5-byte prefix and the message's last byte (0 on
 * a sticky error).  The transport sizes its socket reads with it. */
size_t mv_deframer_pending(const mv_deframer *d);
/* Static English text for an MV_DEFRAME_* code. */
const char *mv_deframe_strerror(int err);

/* ---- grpc-timeout ---------------------------------------------------------
 * Encode: at most 8 digits, finest unit that fits, rounded up; ns <= 0
 * encodes as "1n".  Returns the length written (without NUL) to out[16]. */
int mv_timeout_encode(int64_t ns, char out[16]);
/* Parse: returns 0 and *ns, or -1 when malformed (empty, no digits, > 8
 * digits, anything but ASCII digits before the unit, unknown or lowercase
 * unit other than m/u/n).  "0n" is accepted (an already expired deadline);
 * values beyond int64 nanoseconds (e.g. "99999999H") saturate to INT64_MAX.
 * *ns is untouched on failure. */
int mv_timeout_parse(const char *s, size_t len, int64_t *ns);

/* ---- grpc-message percent coding ---------------------------------------- */
/* Encodes bytes outside 0x20..0x7E and '%' as %XX.  Returns a malloc'ed
 * NUL-terminated string (length in *out_len when non-NULL) or NULL (NOMEM). */
char *mv_percent_encode(const uint8_t *s, size_t len, size_t *out_len);
/* Decodes %XX; invalid escapes pass through unchanged; never fails except
 * NOMEM (NULL).  Result is NUL-terminated; *out_len (when non-NULL) counts
 * every decoded byte: "%00" decodes to a NUL inside the result, and the
 * bytes after it are kept. */
char *mv_percent_decode(const char *s, size_t len, size_t *out_len);
/* Decoded message bytes as a C string: every byte as it is, except NUL,
 * written as the four characters \x00 (the escape milvus_escape_text
 * uses), so that nothing after it is lost.  Returns malloc'ed text or NULL
 * (NOMEM). */
char *mv_message_text(const uint8_t *s, size_t len);

/* ---- base64 (for -bin metadata) ------------------------------------------- */
/* Standard alphabet, no padding.  Returns malloc'ed NUL-terminated text. */
char *mv_base64_encode(const uint8_t *data, size_t len, size_t *out_len);
/* The same with '=' padding to a multiple of 4 (RFC 4648 standard
 * encoding): what Milvus's proxy decodes "authorization" with (Go's
 * base64.StdEncoding, which rejects unpadded input). */
char *mv_base64_encode_padded(const uint8_t *data, size_t len, size_t *out_len);
/* Accepts padded and unpadded input; returns malloc'ed bytes (NUL appended
 * after out_len bytes) or NULL when invalid or NOMEM (*invalid set to 1
 * when the input was invalid; invalid may be NULL).  Invalid: a character
 * outside the standard alphabet (also whitespace, ',' and the URL-safe
 * "-_"), '=' anywhere but as the last one or two characters of a complete
 * 4-character group, or a length of 4k+1 data characters.  Non-zero unused
 * trailing bits are accepted (lenient, like grpc-go). */
uint8_t *mv_base64_decode(const char *s, size_t len, size_t *out_len, int *invalid);

/* ---- status mapping ------------------------------------------------------- */
/* "grpc-status" value → code.  Returns 0 and *code (0..16 or larger
 * integer as sent) or -1 when not a decimal without leading zeros or
 * above INT_MAX (*code untouched).  Callers map codes > 16 to UNKNOWN. */
int mv_grpc_status_parse(const char *s, size_t len, int *code);
/* HTTP :status without grpc-status → gRPC code (http-grpc-status-mapping). */
int mv_http_to_grpc(int http_status);
/* RST_STREAM error code → gRPC code; deadline_passed turns CANCEL into
 * DEADLINE_EXCEEDED.  NO_ERROR maps to INTERNAL: the caller must prefer a
 * status from trailers already received.  REFUSED_STREAM → UNAVAILABLE
 * (safe to retry: not processed).  Unknown codes → UNKNOWN (grpc-go). */
int mv_rst_to_grpc(uint32_t h2_error, int deadline_passed);
/* 1 when the content-type names gRPC ("application/grpc" optionally
 * followed by "+..." or ";..."; compared case-insensitively), else 0. */
int mv_content_type_is_grpc(const char *v, size_t len);

#endif /* MV_GRPC_WIRE_H */
