# rules for tests/integration: the typed API (builders without a server)
check_PROGRAMS += tests/integration/test_builders
tests_integration_test_builders_SOURCES = tests/integration/test_builders.c
tests_integration_test_builders_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_integration_test_builders_LDADD = $(MV_TEST_LIBS)
TESTS += tests/integration/test_builders
