# SPDX-License-Identifier: Apache-2.0
# rules for tests/fault: the transport against a scripted raw HTTP/2 server
# (tests/fault/h2_fault_server.py, h2 from tests/requirements.txt).
if HAVE_CRITERION
check_PROGRAMS += tests/fault/test_fault
TESTS += tests/fault/test_fault
endif
tests_fault_test_fault_SOURCES = tests/fault/test_fault.c
tests_fault_test_fault_CPPFLAGS = $(MV_TEST_CPPFLAGS) -DFAULT_SRCDIR='"$(abs_top_srcdir)"'
tests_fault_test_fault_LDADD = $(MV_TEST_LIBS)
EXTRA_DIST += tests/fault/h2_fault_server.py

# `make check-fault-valgrind`: the fault tests under valgrind memcheck (one
# job; every Criterion worker checked, see valgrind-fault.sh).
EXTRA_DIST += tests/fault/valgrind-fault.sh
check-fault-valgrind: tests/fault/test_fault$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' VALGRIND='$(VALGRIND)' \
	$(SHELL) $(abs_top_srcdir)/tests/fault/valgrind-fault.sh
.PHONY: check-fault-valgrind
