/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The options object behind <milvus/options.h>.  Internal to libmilvus:
 * the transport and the API layer read the fields directly.
 */
#ifndef MV_OPTIONS_INTERNAL_H
#define MV_OPTIONS_INTERNAL_H

#include <milvus/options.h>
#include <milvus/version.h>

#include "wire/grpc_wire.h"

/* ---- refused values, shared by every option and builder object ---------- */

/* A value a setter refused, kept on the object until that setter accepts
 * a value again.  While an object keeps one it is invalid: whatever uses
 * it (an operation, creating a client) fails with the message instead of
 * going on with the value the setter left in place, so a return code the
 * program ignored cannot become a silent default. */
typedef struct mv_refusal mv_refusal;
typedef struct mv_opterr {
    mv_refusal *list; /* newest first; NULL: nothing refused */
} mv_opterr;

/* Records that setter (the public function's name, a string literal)
 * refused a value and returns MILVUS_ERR_INVALID_ARGUMENT.  The message is
 * "<setter>: " followed by fmt.  key names the entry of a keyed setter
 * (a parameter, a template, a metadata key) whose value was refused, so
 * that only a later call for that entry clears it; NULL when the refusal
 * is not tied to one (the key itself was refused, or the setter has
 * none).  A refusal that cannot be recorded for lack of memory leaves the
 * object invalid for good, with a generic message. */
int mv_refuse(mv_opterr *e, const char *setter, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* setter accepted a value (for key, NULL for a setter without keys): its
 * refusals for that key and those tied to no key are forgotten. */
void mv_accept(mv_opterr *e, const char *setter, const char *key);
/* The newest refusal kept, "" when none (e may be NULL). */
const char *mv_opterr_msg(const mv_opterr *e);
/* dst (uninitialised) gets a copy of src's refusals; 0, or -1 when out of
 * memory (dst is then empty). */
int mv_opterr_copy(mv_opterr *dst, const mv_opterr *src);
void mv_opterr_free(mv_opterr *e);
/* s for a message: quoted, with quotes, backslashes, controls and bytes
 * that are not UTF-8 escaped, cut (with its length given) when long;
 * NULL as NULL.  Returns buf. */
#define MV_QUOTE_LEN 112
const char *mv_quote(char buf[MV_QUOTE_LEN], const char *s);
/* Length of the well-formed UTF-8 character at p (n > 0 bytes left), 0
 * when the bytes there are not one (escape.c). */
size_t mv_utf8_char_len(const unsigned char *p, size_t n);

struct milvus_options {
    char *host;
    int port;
    int tls;
    int tls_verify;
    char *ca_file;
    char *cert_file;
    char *key_file;
    char *server_name;

    char *token;
    char *user;
    char *password;
    char *database;

    mv_md md;         /* static metadata from milvus_options_add_metadata */
    char *user_agent; /* NULL: "libmilvus/<version>" */

    int64_t connect_timeout_ms;
    int64_t call_timeout_ms; /* 0: none */
    int pool_size;
    size_t max_send;
    size_t max_recv;
    int64_t keepalive_ms; /* 0: off */
    int64_t keepalive_timeout_ms;
    size_t max_pending;

    int retry_max_attempts;
    int wait_for_ready; /* queued calls wait out refused/unresolved connects */
    int64_t retry_initial_ms;
    int64_t retry_max_ms;
    double retry_multiplier;

    int64_t reconnect_initial_ms;
    int64_t reconnect_max_ms;
    double reconnect_multiplier;

    /* Milvus rate-limit answers, retried by the typed client */
    int rl_max_attempts;
    int64_t rl_initial_ms;
    int64_t rl_max_ms;
    double rl_multiplier;

    milvus_log_level log_level;
    milvus_log_cb log_cb;
    void *log_ctx;

    mv_opterr err; /* refused setter values */
};

/* Default user agent. */
#define MV_USER_AGENT "libmilvus/" MILVUS_VERSION_STRING

#endif /* MV_OPTIONS_INTERNAL_H */
