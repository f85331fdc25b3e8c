# SPDX-License-Identifier: Apache-2.0
# Snapshot area of the Milvus API (issue: snapshots end to end).
libmilvus_core_la_SOURCES += src/api/snapshot.c src/api/snapshot_jobs.c src/api/snapshot_internal.h
milvusinclude_HEADERS += include/milvus/snapshot.h
