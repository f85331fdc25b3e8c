# Test suite: each area has its own fragment.
EXTRA_DIST += tests/lib.sh tests/lsan.supp tests/exports.sh
TESTS += tests/exports.sh
include tests/unit/local.mk
include tests/transport/local.mk
include tests/proto/local.mk
include tests/interop/local.mk
include tests/fault/local.mk
include tests/fuzz/local.mk
include tests/server/local.mk
include tests/integration/local.mk
include tests/bench/local.mk
include tests/bench/suite.mk
include tests/snapshot/local.mk
include tests/api/local.mk
