# SPDX-License-Identifier: Apache-2.0
# rules for tests/golden: libmilvus's requests held against the official Go
# client's, and for the snapshot RPCs against pymilvus's (golden.sh).  The
# Go programs (capture server, Go client) are a module of their own
# (tests/golden/go.mod, go.sum); golden.sh builds them into the build tree
# (go-bin, go-cache) at test time.
check_PROGRAMS += tests/golden/cclient
tests_golden_cclient_SOURCES = tests/golden/cclient.c
tests_golden_cclient_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_golden_cclient_LDADD = $(MV_TEST_LIBS)

TESTS += tests/golden/golden.sh
EXTRA_DIST += tests/golden/golden.sh tests/golden/compare.js tests/golden/script.txt \
	tests/golden/allow.txt tests/golden/script-snapshot.txt tests/golden/allow-snapshot.txt \
	tests/golden/pyclient.py tests/golden/go.mod tests/golden/go.sum \
	tests/golden/capture/main.go tests/golden/capture/responses.go \
	tests/golden/goclient/main.go

clean-local: clean-golden
clean-golden:
	-chmod -R u+w tests/golden/go-cache 2>/dev/null
	-rm -rf tests/golden/go-bin tests/golden/go-cache
.PHONY: clean-golden
