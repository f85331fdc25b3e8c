# SPDX-License-Identifier: Apache-2.0
# rules for tests/bench/suite: the comparative benchmark suite (issue 6).
# libmilvus against the alternatives a user would pick -- the grpc C++ async
# client, h2load (the HTTP/2 floor), the official Node SDK -- on the same
# servers in the same run, reported as ratios.  Not part of `make check`;
# run it with `make bench-suite` (BENCH_QUICK=1: under a minute).
# The comparisons of issue 6 (`make bench` runs them after bench_transport).
EXTRA_PROGRAMS += tests/bench/suite/mv_suite
tests_bench_suite_mv_suite_SOURCES = tests/bench/suite/mv_suite.c tests/bench/driver.c \
	tests/bench/driver.h
tests_bench_suite_mv_suite_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
tests_bench_suite_mv_suite_LDADD = libmilvus_core.la $(DEP_LIBS) -lm
CLEANFILES += tests/bench/suite/mv_suite$(EXEEXT)
EXTRA_DIST += tests/bench/suite/run-suite.sh tests/bench/suite/report.sh \
	tests/bench/suite/gen_canned.js \
	tests/bench/anchors/grpcpp_client.cc tests/bench/anchors/node_sdk_search.js

bench-suite: tests/bench/suite/mv_suite$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' GO='$(GO)' \
	NODE='$(NODE)' NODE_PATH="$${MILVUS_NODE_MODULES:-$(abs_top_srcdir)/node_modules}" \
	$(SHELL) $(abs_top_srcdir)/tests/bench/suite/run-suite.sh

.PHONY: bench-suite
