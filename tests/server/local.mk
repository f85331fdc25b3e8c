# SPDX-License-Identifier: Apache-2.0
# Milvus-protocol test server (Node.js) and its own tests.
MV_SERVER_FILES = \
	tests/server/README \
	tests/server/server.js \
	tests/server/lib/errors.js \
	tests/server/lib/schema.js \
	tests/server/lib/state.js \
	tests/server/lib/control.js \
	tests/server/lib/dispatcher.js \
	tests/server/lib/progress.js \
	tests/server/lib/jobs.js \
	tests/server/lib/collschema.js \
	tests/server/lib/names.js \
	tests/server/lib/util.js \
	tests/server/lib/harness.js \
	tests/server/lib/expr.js \
	tests/server/lib/fielddata.js \
	tests/server/lib/vector.js \
	tests/server/areas/connection.js \
	tests/server/areas/database.js \
	tests/server/areas/collection.js \
	tests/server/areas/partition.js \
	tests/server/areas/index.js \
	tests/server/areas/load.js \
	tests/server/areas/alias.js \
	tests/server/areas/maintenance.js \
	tests/server/areas/snapshot.js \
	tests/server/areas/data.js \
	tests/server/areas/search.js \
	tests/server/areas/query.js

# Tests of the data, search and query areas and of the expression parser.
MV_SERVER_B_TESTS = tests/server/data.test.js tests/server/expr-b.test.js

# The snapshot area against the upstream proxy and datacoord.
MV_SERVER_SNAPSHOT_TESTS = tests/server/snapshot.test.js

EXTRA_DIST += $(MV_SERVER_FILES) tests/server/areas-test/harness.js \
	tests/server/smoke.js tests/server/sdk-scenario.js $(MV_SERVER_B_TESTS) \
	$(MV_SERVER_SNAPSHOT_TESTS)
TESTS += tests/server/smoke.js tests/server/sdk-scenario.js $(MV_SERVER_B_TESTS) \
	$(MV_SERVER_SNAPSHOT_TESTS)
