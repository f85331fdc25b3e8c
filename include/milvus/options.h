/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — connection options.
 *
 * One options object configures a channel (the low-level gRPC connection
 * pool, <milvus/channel.h>) or a Milvus client (<milvus/client.h>).  It is
 * extended only by setters, never by growing a public struct.  The library
 * copies every string passed to a setter; the options object can be freed
 * as soon as the channel or client has been created from it.
 *
 * Setters return MILVUS_OK or MILVUS_ERR_INVALID_ARGUMENT (a NULL options
 * pointer, an out-of-range number, an unparseable URI) or MILVUS_ERR_NOMEM.
 * The accepted values of each setter are given below.
 *
 * Refused values: a setter given a value outside its accepted range keeps
 * the previous value, returns MILVUS_ERR_INVALID_ARGUMENT and records a
 * message naming the setter, the value and what is accepted, e.g.
 *   "milvus_options_set_pool_size: pool size 65 is out of range (1..64)"
 * (milvus_options_last_error()).  The object stays invalid until that same
 * setter accepts a value (for milvus_options_add_metadata(): for the same
 * key): milvus_client_new(), milvus_channel_new() and milvus_sync_new()
 * refuse invalid options with MILVUS_ERR_INVALID_ARGUMENT, so an ignored
 * return code does not leave a silent default behind.  Copies
 * (milvus_options_dup()) keep the refusals.  A NULL options pointer gives
 * MILVUS_ERR_INVALID_ARGUMENT and no message.
 */
#ifndef MILVUS_OPTIONS_H
#define MILVUS_OPTIONS_H

#include <milvus/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct milvus_options milvus_options;

/* A new options object with the defaults:
 *   address localhost:19530, plaintext, pool size 1, connect timeout 20 s,
 *   no default call timeout, max send 64 MiB, max receive 512 MiB,
 *   keepalive 10 s / 20 s, max pending calls 65536, reconnect backoff
 *   1 s x1.6 (+-20 % jitter) up to 120 s, retries: 5 attempts, 100 ms x2
 *   up to 3 s, rate-limit retries: 75 attempts, 10 ms x3 up to 3 s.  Returns
 *   NULL when out of memory. */
MILVUS_EXTERN milvus_options *milvus_options_new(void);
MILVUS_EXTERN void milvus_options_free(milvus_options *opts);
/* A deep copy, or NULL when out of memory. */
MILVUS_EXTERN milvus_options *milvus_options_dup(const milvus_options *opts);
/* The message of the newest refused value still recorded (see above), ""
 * when the options are valid or opts is NULL; never NULL.  Valid until the
 * next setter call on opts. */
MILVUS_EXTERN const char *milvus_options_last_error(const milvus_options *opts);

/* The address in one of the Go client's forms:
 *   "host", "host:port", "[v6addr]:port", "http://host[:port][/db]",
 *   "https://host[:port][/db]" (turns TLS on; default port 443),
 *   "tcp://host:port".  Default port 19530.  A path sets the database.
 * Refused: NULL, another scheme, an empty host or one with spaces,
 * controls, non-ASCII or /@?#[] (':' only inside [v6addr] or a bare IPv6
 * address), a port outside 1..65535, a path of more than one segment or
 * with '?'.  Default: "localhost:19530". */
MILVUS_EXTERN milvus_status milvus_options_set_uri(milvus_options *opts, const char *uri);
/* host: a host name or an IP address (IPv6 without brackets), with the
 * characters set_uri accepts; port 1..65535. */
MILVUS_EXTERN milvus_status milvus_options_set_address(milvus_options *opts, const char *host,
                                                       int port);

/* TLS.  Verification of the server certificate and host name is on by
 * default, against the system CAs unless a CA file is given.  TLS writes
 * cannot raise SIGPIPE either (<milvus/channel.h>, "Signals"). */
MILVUS_EXTERN milvus_status milvus_options_set_tls(milvus_options *opts, int enable);
MILVUS_EXTERN milvus_status milvus_options_set_ca_file(milvus_options *opts, const char *path);
/* A client certificate and its key (PEM files), both or neither (NULL,
 * the default: none); one without the other is refused. */
MILVUS_EXTERN milvus_status milvus_options_set_client_cert(milvus_options *opts,
                                                           const char *cert_path,
                                                           const char *key_path);
/* The name used for SNI, certificate verification and :authority instead
 * of the host (for tests and proxies).  A host name (printable ASCII
 * without spaces or :/@?#[]); NULL (default) uses the host. */
MILVUS_EXTERN milvus_status milvus_options_set_server_name(milvus_options *opts, const char *name);
/* Turn certificate verification off (insecure; for development only). */
MILVUS_EXTERN milvus_status milvus_options_set_tls_verify(milvus_options *opts, int verify);

/* Milvus authentication and database (sent as metadata on every call).
 * The token is never refused (NULL: none).  user and password are both
 * given or both NULL (default: none), and user has no ':'; the password
 * never appears in a message.  The database is printable ASCII
 * (0x20..0x7e); NULL (default) is the server's default database. */
MILVUS_EXTERN milvus_status milvus_options_set_token(milvus_options *opts, const char *token);
MILVUS_EXTERN milvus_status milvus_options_set_user_password(milvus_options *opts, const char *user,
                                                             const char *password);
MILVUS_EXTERN milvus_status milvus_options_set_database(milvus_options *opts, const char *db);

/* Static metadata added to every call.  key: non-empty lowercase
 * [0-9a-z_.-], neither "grpc-*" nor a header the transport writes (te,
 * content-type, user-agent, host, connection, ...).  value: len bytes of
 * printable ASCII (0x20..0x7e), or anything for keys ending in "-bin";
 * NULL only with len 0.  A refused value is named by its key only (the
 * value may be a credential). */
MILVUS_EXTERN milvus_status milvus_options_add_metadata(milvus_options *opts, const char *key,
                                                        const void *value, size_t len);
/* Replaces the "libmilvus/<version>" user-agent prefix: non-empty
 * printable ASCII; NULL (default) restores "libmilvus/<version>". */
MILVUS_EXTERN milvus_status milvus_options_set_user_agent(milvus_options *opts, const char *ua);

/* Timeouts in milliseconds.  connect: 1..2147483647 (default 20000).
 * call: 0 = none (default) or up to 3153600000000 (100 years); the
 * deadline of each call that has no per-call timeout. */
MILVUS_EXTERN milvus_status milvus_options_set_connect_timeout_ms(milvus_options *opts, int64_t ms);
MILVUS_EXTERN milvus_status milvus_options_set_call_timeout_ms(milvus_options *opts, int64_t ms);

/* Number of HTTP/2 connections (1..64, default 1); calls are spread
 * round-robin over the healthy ones. */
MILVUS_EXTERN milvus_status milvus_options_set_pool_size(milvus_options *opts, int n);

/* Message size limits in bytes.  A request over max_send fails before
 * anything is sent (MILVUS_ERR_TOO_LARGE); a response over max_recv fails
 * with gRPC RESOURCE_EXHAUSTED.  max_send: 1..4294967295 (default 64 MiB);
 * max_recv: at least 1, more than 4294967295 counts as 4294967295
 * (default 512 MiB). */
MILVUS_EXTERN milvus_status milvus_options_set_max_send_size(milvus_options *opts, size_t bytes);
MILVUS_EXTERN milvus_status milvus_options_set_max_recv_size(milvus_options *opts, size_t bytes);

/* Keepalive PING interval and ACK timeout; interval 0 turns keepalive off.
 * interval_ms 0..2147483647 (default 10000), timeout_ms 1..2147483647
 * (default 20000).  An interval below 10 s counts as 10 s unless
 * MILVUS_ALLOW_FAST_KEEPALIVE is set in the environment (tests). */
MILVUS_EXTERN milvus_status milvus_options_set_keepalive_ms(milvus_options *opts,
                                                            int64_t interval_ms,
                                                            int64_t timeout_ms);

/* Bound on calls submitted and not yet completed; beyond it submission
 * returns MILVUS_ERR_BUSY.  At least 1 (default 65536). */
MILVUS_EXTERN milvus_status milvus_options_set_max_pending(milvus_options *opts, size_t n);

/* Retry policy of calls that fail with gRPC UNAVAILABLE (before response
 * headers came, or at any point for an idempotent call): at most
 * max_attempts attempts, backoff initial_ms * multiplier^n up to max_ms,
 * +-20 % jitter.  max_attempts 1 turns these retries off.  Not counted
 * here: attempts the server never saw (refused streams, calls above a
 * GOAWAY, a connection lost before the request left), which are retried
 * transparently up to 16 times, and Milvus rate limiting (below).
 * Accepted:
 * max_attempts 1..100, initial_ms 0..2147483647, max_ms
 * initial_ms..2147483647, multiplier 1..100 (defaults 5, 100, 3000, 2). */
MILVUS_EXTERN milvus_status milvus_options_set_retry(milvus_options *opts, int max_attempts,
                                                     int64_t initial_ms, int64_t max_ms,
                                                     double multiplier);

/* Whether calls wait for the server when it cannot be reached (gRPC's
 * wait_for_ready).  0 (default): once every connection attempt of the
 * channel has failed because the address refused the connection or did
 * not resolve, and none is still in progress, the calls waiting for a
 * connection fail at once (MILVUS_ERR_CONNECT or MILVUS_ERR_RESOLVE,
 * gRPC UNAVAILABLE, naming the address and the reason), and so do calls
 * submitted during the reconnect backoff that follows; the attempt after
 * the backoff is waited for again.  Calls wait while an attempt is in
 * progress, and a connection attempt that times out or fails its TLS
 * handshake is retried as before (the call ends at its deadline or when
 * its retry attempts run out).  1: calls always wait for the server,
 * until their deadline.  Accepted: 0 or 1 (other values are refused). */
MILVUS_EXTERN milvus_status milvus_options_set_wait_for_ready(milvus_options *opts, int wait);

/* Retry policy of the typed client (<milvus/client.h>) for a Milvus
 * rate-limit answer (common.Status code 8, or legacy RateLimit): at most
 * max_attempts attempts, on event timers, backoff initial_ms *
 * multiplier^n up to max_ms (no jitter), as the official clients do.
 * max_attempts 1 turns them off.  Accepted: max_attempts 1..1000,
 * initial_ms 0..2147483647, max_ms initial_ms..2147483647, multiplier
 * 1..100 (defaults 75, 10, 3000, 3). */
MILVUS_EXTERN milvus_status milvus_options_set_rate_limit_retry(milvus_options *opts,
                                                                int max_attempts,
                                                                int64_t initial_ms, int64_t max_ms,
                                                                double multiplier);

/* Reconnect backoff (gRPC connection-backoff): initial_ms 0..2147483647,
 * max_ms initial_ms..2147483647, multiplier 1..100 (defaults 1000,
 * 120000, 1.6). */
MILVUS_EXTERN milvus_status milvus_options_set_reconnect_backoff(milvus_options *opts,
                                                                 int64_t initial_ms, int64_t max_ms,
                                                                 double multiplier);

/* Diagnostics: the callback runs on the event loop; secrets are never
 * passed to it.  max_level MILVUS_LOG_ERROR..MILVUS_LOG_DEBUG (default
 * MILVUS_LOG_WARN); cb NULL (default) logs nothing. */
MILVUS_EXTERN milvus_status milvus_options_set_log(milvus_options *opts, milvus_log_level max_level,
                                                   milvus_log_cb cb, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MILVUS_OPTIONS_H */
