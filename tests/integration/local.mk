# SPDX-License-Identifier: Apache-2.0
# rules for tests/integration: the typed API (builders without a server)
if HAVE_CRITERION
check_PROGRAMS += tests/integration/test_builders
tests_integration_test_builders_SOURCES = tests/integration/test_builders.c \
	tests/unit/lsan_suppressions.c
tests_integration_test_builders_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_integration_test_builders_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_builders

# The typed API end to end against tests/server (server_fixture.c starts
# one server per program; see server_fixture.h).
MV_ITEST_CPPFLAGS = $(MV_TEST_CPPFLAGS) -DMV_TOP_SRCDIR='"$(abs_top_srcdir)"'
MV_ITEST_SOURCES = tests/integration/server_fixture.c tests/integration/server_fixture.h \
	tests/integration/itest.h tests/unit/lsan_suppressions.c

check_PROGRAMS += tests/integration/test_connection
tests_integration_test_connection_SOURCES = tests/integration/test_connection.c $(MV_ITEST_SOURCES)
tests_integration_test_connection_CPPFLAGS = $(MV_ITEST_CPPFLAGS)
tests_integration_test_connection_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_connection

check_PROGRAMS += tests/integration/test_collection
tests_integration_test_collection_SOURCES = tests/integration/test_collection.c $(MV_ITEST_SOURCES)
tests_integration_test_collection_CPPFLAGS = $(MV_ITEST_CPPFLAGS)
tests_integration_test_collection_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_collection

check_PROGRAMS += tests/integration/test_data
tests_integration_test_data_SOURCES = tests/integration/test_data.c $(MV_ITEST_SOURCES)
tests_integration_test_data_CPPFLAGS = $(MV_ITEST_CPPFLAGS)
tests_integration_test_data_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_data

check_PROGRAMS += tests/integration/test_types
tests_integration_test_types_SOURCES = tests/integration/test_types.c $(MV_ITEST_SOURCES)
tests_integration_test_types_CPPFLAGS = $(MV_ITEST_CPPFLAGS)
tests_integration_test_types_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_types

check_PROGRAMS += tests/integration/test_zero_copy
tests_integration_test_zero_copy_SOURCES = tests/integration/test_zero_copy.c $(MV_ITEST_SOURCES)
tests_integration_test_zero_copy_CPPFLAGS = $(MV_ITEST_CPPFLAGS)
tests_integration_test_zero_copy_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_zero_copy
# the same source, only the test that counts the server's DescribeCollection calls
check_PROGRAMS += tests/integration/test_schema_fetch
tests_integration_test_schema_fetch_SOURCES = tests/integration/test_zero_copy.c $(MV_ITEST_SOURCES)
tests_integration_test_schema_fetch_CPPFLAGS = $(MV_ITEST_CPPFLAGS) -DMV_SCHEMA_FETCH_ONLY
tests_integration_test_schema_fetch_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_schema_fetch

check_PROGRAMS += tests/integration/test_errors
tests_integration_test_errors_SOURCES = tests/integration/test_errors.c $(MV_ITEST_SOURCES)
tests_integration_test_errors_CPPFLAGS = $(MV_ITEST_CPPFLAGS)
tests_integration_test_errors_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_errors

check_PROGRAMS += tests/integration/test_admin
tests_integration_test_admin_SOURCES = tests/integration/test_admin.c $(MV_ITEST_SOURCES)
tests_integration_test_admin_CPPFLAGS = $(MV_ITEST_CPPFLAGS)
tests_integration_test_admin_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_admin
endif
