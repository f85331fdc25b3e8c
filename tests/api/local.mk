# SPDX-License-Identifier: Apache-2.0
# Tests of the typed API (issue 4): examples end to end, concurrency under
# injected faults, and a fuzz target for result decoding.

# --- the examples against the Milvus-protocol test server (or MILVUS_URI) ---
TESTS += tests/api/examples.sh
EXTRA_DIST += tests/api/examples.sh

# --- 10,000 mixed calls on a pool of 4 connections under faults ---
check_PROGRAMS += tests/api/test_concurrency
# The server fixture of tests/integration (one test server per program).
tests_api_test_concurrency_SOURCES = tests/api/test_concurrency.c \
	tests/integration/server_fixture.c tests/integration/server_fixture.h
tests_api_test_concurrency_CPPFLAGS = $(MV_TEST_CPPFLAGS) -DMV_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_api_test_concurrency_LDADD = $(MV_TEST_LIBS)
TESTS += tests/api/test_concurrency

# --- fuzz_result: SearchResults/QueryResults/... decoding and accessors ---
# Built like the targets of tests/fuzz/local.mk (MV_FUZZ_* come from
# there): standalone smoke run in `make check`, a real libFuzzer binary
# under --enable-fuzzers.  It links the whole library (internal decoding
# functions); for libFuzzer coverage of the library itself configure with
# CFLAGS='-fsanitize=fuzzer-no-link,address,undefined' as that file says.
check_PROGRAMS += tests/api/fuzz_result
tests_api_fuzz_result_SOURCES = tests/api/fuzz_result.c $(MV_FUZZ_MAIN)
tests_api_fuzz_result_CPPFLAGS = $(MV_FUZZ_INCLUDES) $(DEP_CFLAGS)
tests_api_fuzz_result_CFLAGS = $(MV_FUZZ_COMPILE_OPTS)
tests_api_fuzz_result_LDFLAGS = $(MV_FUZZ_LINK_OPTS)
tests_api_fuzz_result_LDADD = libmilvus_core.la $(DEP_LIBS) -lm
TESTS += tests/api/fuzz_result.sh
EXTRA_DIST += tests/api/fuzz_result.sh \
	tests/api/corpus/result/seed-01-search-int \
	tests/api/corpus/result/seed-02-search-str-short \
	tests/api/corpus/result/seed-03-search-error \
	tests/api/corpus/result/seed-04-query-types \
	tests/api/corpus/result/seed-05-query-strings \
	tests/api/corpus/result/seed-06-count \
	tests/api/corpus/result/seed-07-mutation \
	tests/api/corpus/result/seed-08-describe-index \
	tests/api/corpus/result/seed-09-describe-collection
fuzz: tests/api/fuzz_result

# --- packing requests once (copying and zero-copy) and sending by reference ---
check_PROGRAMS += tests/api/test_pack
tests_api_test_pack_SOURCES = tests/api/test_pack.c
tests_api_test_pack_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_api_test_pack_LDADD = $(MV_TEST_LIBS)
TESTS += tests/api/test_pack

# --- values a setter refuses: messages, invalid objects, recovery ---
if HAVE_CRITERION
check_PROGRAMS += tests/api/test_options
tests_api_test_options_SOURCES = tests/api/test_options.c tests/unit/lsan_suppressions.c
tests_api_test_options_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_api_test_options_LDADD = $(MV_TEST_LIBS)
TESTS += tests/api/test_options
endif
