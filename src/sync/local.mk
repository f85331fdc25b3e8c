# SPDX-License-Identifier: Apache-2.0
# rules for src/sync: the blocking layer (layer 5), on the public API only
libmilvus_core_la_SOURCES += src/sync/sync.c
milvusinclude_HEADERS += include/milvus/sync.h
