/* SPDX-License-Identifier: Apache-2.0 */
/* TLS: one SSL_CTX per channel (TLS >= 1.2, ALPN h2, verification on by
 * default), one SSL per connection (SNI, host-name check), on a socket
 * BIO of our own that cannot raise SIGPIPE. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "transport/transport.h"

static void tls_err(char *err, size_t len, const char *what, const char *path)
{
    char e[160] = "";
    unsigned long code = ERR_peek_last_error();
    if (code)
        ERR_error_string_n(code, e, sizeof(e));
    ERR_clear_error();
    snprintf(err, len, "TLS: %s %s%s%s", what, path ? path : "", e[0] ? ": " : "", e);
}

SSL_CTX *mv_tls_ctx_new(const milvus_options *o, char *err, size_t errlen)
{
    static const unsigned char alpn[] = {2, 'h', '2'};
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        tls_err(err, errlen, "cannot create the TLS context", NULL);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn)) != 0) {
        tls_err(err, errlen, "cannot set ALPN", NULL);
        goto fail;
    }
    if (o->tls_verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (o->ca_file) {
            if (SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL) != 1) {
                tls_err(err, errlen, "cannot load CA file", o->ca_file);
                goto fail;
            }
        } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
            tls_err(err, errlen, "cannot load the system CA certificates", NULL);
            goto fail;
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (o->cert_file) {
        if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1) {
            tls_err(err, errlen, "cannot load client certificate", o->cert_file);
            goto fail;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, o->key_file, SSL_FILETYPE_PEM) != 1) {
            tls_err(err, errlen, "cannot load client key", o->key_file);
            goto fail;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            tls_err(err, errlen, "client key does not match certificate", o->cert_file);
            goto fail;
        }
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

static int is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return evutil_inet_pton(AF_INET, s, buf) == 1 || evutil_inet_pton(AF_INET6, s, buf) == 1;
}

SSL *mv_tls_new(mv_transport *t)
{
    const char *name = t->opts->server_name ? t->opts->server_name : t->opts->host;
    SSL *ssl = SSL_new(t->ssl_ctx);
    if (!ssl)
        return NULL;
    if (is_ip_literal(name)) {
        /* No SNI for addresses (RFC 6066); verify the IP SAN instead. */
        if (t->opts->tls_verify && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) != 1)
            goto fail;
    } else {
        if (SSL_set_tlsext_host_name(ssl, name) != 1)
            goto fail;
        if (t->opts->tls_verify && SSL_set1_host(ssl, name) != 1)
            goto fail;
    }
    return ssl;
fail:
    SSL_free(ssl);
    return NULL;
}

/* ---- a socket BIO that never raises SIGPIPE ----
 *
 * OpenSSL's socket BIO writes with write(): a server that closed first
 * would kill a process that kept SIGPIPE at its default.  This one is the
 * same but for send(MSG_NOSIGNAL): read, EOF, retries and the controls
 * OpenSSL and libevent use (BIO_get_fd to close the socket, flush,
 * pending) answer as a socket BIO does. */

typedef struct {
    int fd;
    int eof; /* a read returned 0 (BIO_eof) */
} mv_sock_bio;

static int sock_should_retry(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == EINPROGRESS ||
           err == EALREADY || err == ENOTCONN || err == EPROTO;
}

static int sock_bio_write(BIO *b, const char *buf, int len)
{
    mv_sock_bio *sb = BIO_get_data(b);
    ssize_t r;
    BIO_clear_retry_flags(b);
    if (!sb || len < 0)
        return -1;
    r = send(sb->fd, buf, (size_t)len, MSG_NOSIGNAL);
    if (r < 0 && sock_should_retry(errno))
        BIO_set_retry_write(b);
    return (int)r;
}

static int sock_bio_read(BIO *b, char *buf, int len)
{
    mv_sock_bio *sb = BIO_get_data(b);
    ssize_t r;
    BIO_clear_retry_flags(b);
    if (!sb || !buf || len < 0)
        return -1;
    r = recv(sb->fd, buf, (size_t)len, 0);
    if (r < 0 && sock_should_retry(errno))
        BIO_set_retry_read(b);
    else if (r == 0)
        sb->eof = 1;
    return (int)r;
}

static int sock_bio_puts(BIO *b, const char *str)
{
    return sock_bio_write(b, str, (int)strlen(str));
}

static long sock_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    mv_sock_bio *sb = BIO_get_data(b);
    switch (cmd) {
    case BIO_C_SET_FD:
        if (!sb)
            return 0;
        sb->fd = *(int *)ptr;
        sb->eof = 0;
        BIO_set_shutdown(b, (int)num);
        BIO_set_init(b, 1);
        return 1;
    case BIO_C_GET_FD:
        if (!sb || !BIO_get_init(b))
            return -1;
        if (ptr)
            *(int *)ptr = sb->fd;
        return sb->fd;
    case BIO_CTRL_GET_CLOSE: return BIO_get_shutdown(b);
    case BIO_CTRL_SET_CLOSE: BIO_set_shutdown(b, (int)num); return 1;
    case BIO_CTRL_DUP:
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_EOF: return sb && sb->eof;
    default: return 0; /* PENDING, WPENDING (nothing buffered), ... */
    }
}

static int sock_bio_create(BIO *b)
{
    mv_sock_bio *sb = malloc(sizeof(*sb));
    if (!sb)
        return 0;
    sb->fd = -1;
    sb->eof = 0;
    BIO_set_data(b, sb);
    BIO_set_init(b, 0);
    return 1;
}

static int sock_bio_destroy(BIO *b)
{
    mv_sock_bio *sb = BIO_get_data(b);
    if (!sb)
        return 1;
    if (BIO_get_shutdown(b) && BIO_get_init(b) && sb->fd >= 0)
        close(sb->fd);
    free(sb);
    BIO_set_data(b, NULL);
    BIO_set_init(b, 0);
    return 1;
}

/* Made once per process, kept to its end (libevent may free an SSL after
 * its channel is gone); a failed attempt (no memory) is tried again. */
static BIO_METHOD *sock_bio_method(void)
{
    static BIO_METHOD *shared;
    BIO_METHOD *m = __atomic_load_n(&shared, __ATOMIC_ACQUIRE), *none = NULL;
    int type;
    if (m)
        return m;
    type = BIO_get_new_index();
    if (type == -1 ||
        !(m = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "milvus socket")))
        return NULL;
    if (!BIO_meth_set_write(m, sock_bio_write) || !BIO_meth_set_read(m, sock_bio_read) ||
        !BIO_meth_set_puts(m, sock_bio_puts) || !BIO_meth_set_ctrl(m, sock_bio_ctrl) ||
        !BIO_meth_set_create(m, sock_bio_create) || !BIO_meth_set_destroy(m, sock_bio_destroy)) {
        BIO_meth_free(m);
        return NULL;
    }
    if (!__atomic_compare_exchange_n(&shared, &none, m, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        BIO_meth_free(m); /* another thread was first */
        return none;
    }
    return m;
}

int mv_tls_set_socket_bio(SSL *ssl, int fd)
{
    BIO_METHOD *m = sock_bio_method();
    BIO *old = SSL_get_wbio(ssl), *bio;
    int close_flag = old ? BIO_get_close(old) : BIO_NOCLOSE;
    if (fd < 0 || !m || !(bio = BIO_new(m)))
        return -1;
    BIO_set_fd(bio, fd, close_flag == BIO_CLOSE ? BIO_CLOSE : BIO_NOCLOSE);
    if (old)
        BIO_set_close(old, BIO_NOCLOSE); /* the socket stays open for ours */
    SSL_set_bio(ssl, bio, bio);          /* frees the old one */
    return 0;
}
