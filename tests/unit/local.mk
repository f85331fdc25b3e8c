# SPDX-License-Identifier: Apache-2.0
# Unit tests (Criterion; TAP through CRITERION_OUTPUTS=tap:- set in
# AM_TESTS_ENVIRONMENT).  One program per wire/transport module; test_call
# drives the call layer against a fake transport.
# Every Criterion program should also list tests/unit/lsan_suppressions.c
# in its SOURCES (see that file: without it an --enable-sanitizers build
# loses the TAP output).
#
# tests/unit/valgrind.sh runs Criterion programs under valgrind memcheck;
# it is slow (about 5 s per test case), so it is skipped unless
# MILVUS_VALGRIND=1; `make check-valgrind` runs it over every Criterion
# program of the suite.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_wire
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c tests/unit/lsan_suppressions.c
tests_unit_test_wire_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_unit_test_wire_LDADD = $(MV_TEST_LIBS)
TESTS += tests/unit/test_wire
check_PROGRAMS += tests/unit/test_escape
tests_unit_test_escape_SOURCES = tests/unit/test_escape.c tests/unit/lsan_suppressions.c \
	tests/transport/h2_test_server.c tests/transport/h2_test_server.h
tests_unit_test_escape_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_unit_test_escape_LDADD = $(MV_TEST_LIBS)
TESTS += tests/unit/test_escape
check_PROGRAMS += tests/unit/test_backoff
tests_unit_test_backoff_SOURCES = tests/unit/test_backoff.c tests/unit/lsan_suppressions.c
tests_unit_test_backoff_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_unit_test_backoff_LDADD = $(MV_TEST_LIBS)
TESTS += tests/unit/test_backoff
check_PROGRAMS += tests/unit/test_version
tests_unit_test_version_SOURCES = tests/unit/test_version.c tests/unit/lsan_suppressions.c
tests_unit_test_version_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_unit_test_version_LDADD = $(MV_TEST_LIBS)
TESTS += tests/unit/test_version
check_PROGRAMS += tests/unit/test_call
tests_unit_test_call_SOURCES = tests/unit/test_call.c tests/unit/lsan_suppressions.c
tests_unit_test_call_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_unit_test_call_LDADD = $(MV_TEST_LIBS)
TESTS += tests/unit/test_call
endif
EXTRA_DIST += tests/unit/valgrind.sh tests/unit/valgrind.supp
