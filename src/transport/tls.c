/* SPDX-License-Identifier: Apache-2.0 */
/* TLS: one SSL_CTX per channel (TLS >= 1.2, ALPN h2, verification on by
 * default), one SSL per connection (SNI, host-name check). */
#include <stdio.h>
#include <string.h>

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
        if (t->opts->tls_verify &&
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) != 1)
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
