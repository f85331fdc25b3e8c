# SPDX-License-Identifier: Apache-2.0
# Test suite: each area has its own fragment.
EXTRA_DIST += tests/lib.sh tests/lsan.supp tests/exports.sh tests/license.sh tests/install.sh tests/headers.sh \
	tests/readme.sh tests/layers.sh tests/cppcheck.sh tests/format.sh
TESTS += tests/exports.sh tests/license.sh tests/install.sh tests/headers.sh tests/readme.sh \
	tests/layers.sh tests/cppcheck.sh tests/format.sh

# The test suite's Python: a virtual environment under the build tree from
# the pinned tests/requirements.txt (grpc-core and h2 peers, pymilvus, the
# Milvus servers), made before the tests run.  MILVUS_TEST_VENV names
# another one to use instead (CI's later passes reuse the first build's).
MV_TEST_VENV = $${MILVUS_TEST_VENV:-$(abs_top_builddir)/tests/venv}
EXTRA_DIST += tests/requirements.txt tests/peers/venv.sh
check_DATA = tests/venv.stamp
tests/venv.stamp: $(top_srcdir)/tests/requirements.txt $(top_srcdir)/tests/peers/venv.sh
	@$(MKDIR_P) tests
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/tests/peers/venv.sh '$(PYTHON3)' \
	  '$(abs_top_srcdir)/tests/requirements.txt' "$(MV_TEST_VENV)" && touch $@
CLEANFILES += tests/venv.stamp
clean-local: clean-test-venv
clean-test-venv:
	-rm -rf tests/venv tests/venv.log
.PHONY: clean-test-venv
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
include tests/real/local.mk
include tests/golden/local.mk
include tests/roundtrip/local.mk
include tests/scenario/local.mk
