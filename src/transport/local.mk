# SPDX-License-Identifier: Apache-2.0
# transport (layer 2): connections, TLS, HTTP/2 streams
libmilvus_core_la_SOURCES += src/transport/transport.h src/transport/transport.c \
	src/transport/conn.c src/transport/conn_internal.h \
	src/transport/session.c src/transport/io.c src/transport/tls.c
