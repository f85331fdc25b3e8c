# SPDX-License-Identifier: Apache-2.0
# rules for tests/snapshot: snapshots end to end, the blocking layer and
# milvusctl, against the Milvus-protocol test server (or MILVUS_URI).
MVT_HARNESS = tests/snapshot/harness.c tests/snapshot/harness.h

check_PROGRAMS += tests/snapshot/test_sync tests/snapshot/test_snapshot
tests_snapshot_test_sync_SOURCES = tests/snapshot/test_sync.c $(MVT_HARNESS)
tests_snapshot_test_sync_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_snapshot_test_sync_LDADD = $(MV_TEST_LIBS)
tests_snapshot_test_snapshot_SOURCES = tests/snapshot/test_snapshot.c $(MVT_HARNESS)
tests_snapshot_test_snapshot_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_snapshot_test_snapshot_LDADD = $(MV_TEST_LIBS)

EXTRA_DIST += tests/snapshot/milvusctl.sh tests/snapshot/sync-coverage.sh tests/snapshot/ctl.js \
	tests/snapshot/demo.sh
TESTS += tests/snapshot/test_sync tests/snapshot/test_snapshot \
	tests/snapshot/sync-coverage.sh tests/snapshot/milvusctl.sh tests/snapshot/demo.sh
