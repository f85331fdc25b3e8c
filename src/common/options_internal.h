/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The options object behind <milvus/options.h>.  Internal to libmilvus:
 * the transport and the API layer read the fields directly.
 */
#ifndef MV_OPTIONS_INTERNAL_H
#define MV_OPTIONS_INTERNAL_H

#include <milvus/options.h>

#include "wire/grpc_wire.h"

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

    milvus_log_level log_level;
    milvus_log_cb log_cb;
    void *log_ctx;
};

/* Default user agent. */
#define MV_USER_AGENT "libmilvus/" MILVUS_VERSION_STRING

#endif /* MV_OPTIONS_INTERNAL_H */
