# SPDX-License-Identifier: Apache-2.0
# common: options, status, escaping, backoff and the utilities the
# transport and call layers share (clock, jitter, log sink, block pool,
# shared request buffers)
libmilvus_core_la_SOURCES += src/common/status.c src/common/escape.c \
	src/common/backoff.c src/common/backoff.h src/common/version.c \
	src/common/options.c src/common/options_internal.h \
	src/common/util.c src/common/util.h src/common/pool.c src/common/pool.h \
	src/common/reqbuf.c src/common/reqbuf.h
