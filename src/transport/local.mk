# SPDX-License-Identifier: Apache-2.0
# transport (layer 2), call (layer 3) and the shared option/status code
libmilvus_core_la_SOURCES += src/common/status.c src/common/escape.c \
	src/common/backoff.c src/common/backoff.h src/common/version.c \
	src/common/options.c src/common/options_internal.h \
	src/transport/transport.h src/transport/channel.c src/transport/conn.c \
	src/transport/tls.c \
	src/call/call.c src/call/reqbuf.c src/call/reqbuf.h
