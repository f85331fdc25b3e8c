# SPDX-License-Identifier: Apache-2.0
# rules for src/api: the typed Milvus client (layer 4)
libmilvus_core_la_SOURCES += src/api/api.h src/api/util.c src/api/schema.c \
	src/api/column.c src/api/result.c src/api/client.c src/api/ops.c src/api/data.c \
	src/api/search.c src/api/query.c src/api/iterator.c \
	src/api/admin.c src/api/poll.c src/api/await.c
