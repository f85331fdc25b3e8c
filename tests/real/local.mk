# SPDX-License-Identifier: Apache-2.0
# The integration suites, the examples and milvusctl against servers the
# Milvus project wrote: embedded Milvus standalone and Milvus Lite, each
# started once for the run (tests/real/real-server.sh).
TESTS += tests/real/milvus-standalone.sh tests/real/milvus-lite.sh
# run by real-server.sh against a rate-limited standalone, not on its own
check_PROGRAMS += tests/real/rate_limit
tests_real_rate_limit_SOURCES = tests/real/rate_limit.c
tests_real_rate_limit_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_real_rate_limit_LDADD = $(MV_TEST_LIBS)
EXTRA_DIST += tests/real/real-server.sh tests/real/milvus-standalone.sh \
	tests/real/milvus-lite.sh tests/peers/milvus/milvus_server.py

# The suite without the real-server runs: CI's sanitizer pass (the C
# programs under ASan against the test server and the transport peers, not
# once more against every server).  tests/install.sh and tests/readme.sh
# are left out there too: they link programs of their own against the
# installed, here sanitized, library with the plain compiler (install.sh
# fully statically among others), which ASan does not allow.
MV_TESTS_NO_REAL = `for t in $(TESTS); do case $$t in tests/real/*|tests/install.sh|tests/readme.sh) ;; *) echo $$t;; esac; done`
check-no-real:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$(MV_TESTS_NO_REAL)"
.PHONY: check-no-real

clean-local: clean-real-servers
clean-real-servers:
	-rm -rf tests/real/milvus-bin
.PHONY: clean-real-servers
