#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# certs.sh OUTDIR: throw-away TLS material for the interop tests.
#   ca.pem / ca.key          a self-signed test CA
#   server.pem / server.key  signed by the CA; SAN DNS:localhost,
#                            IP:127.0.0.1, DNS:server.milvus.test (the
#                            name tests pass as --server_host_override)
#   client.pem / client.key  a client certificate for mutual TLS
# Generated at test time with the openssl CLI; never committed.
set -eu
out=${1:?usage: certs.sh OUTDIR}
mkdir -p "$out"
cd "$out"
umask 077

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=libmilvus test CA" \
    -keyout ca.key -out ca.pem 2>/dev/null

mkcert() { # name subject extensions
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    printf '%s\n' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

mkcert server "/CN=server.milvus.test" \
"basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:server.milvus.test"

mkcert client "/CN=libmilvus test client" \
"basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

chmod 644 ca.pem server.pem client.pem
