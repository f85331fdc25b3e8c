# SPDX-License-Identifier: Apache-2.0
# rules for tests/bench: the transport benchmark.  Not part of `make check`
# (timing on a shared machine is not a pass/fail criterion); run it with
# `make bench`.  Built on demand only (EXTRA_PROGRAMS).
EXTRA_PROGRAMS += tests/bench/bench_transport
tests_bench_bench_transport_SOURCES = tests/bench/bench_transport.c tests/bench/driver.c \
	tests/bench/driver.h
tests_bench_bench_transport_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
tests_bench_bench_transport_LDADD = libmilvus_core.la $(DEP_LIBS) -lm
CLEANFILES += tests/bench/bench_transport$(EXEEXT)
EXTRA_DIST += tests/bench/run-bench.sh

bench: tests/bench/bench_transport$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' GO='$(GO)' \
	$(SHELL) $(abs_top_srcdir)/tests/bench/run-bench.sh
	$(MAKE) $(AM_MAKEFLAGS) bench-suite

clean-local: clean-bench
clean-bench:
	-rm -rf tests/bench/work
.PHONY: bench clean-bench
