# SPDX-License-Identifier: Apache-2.0
# rules for tests/failmalloc: the n-th allocation fails, for every n along
# whole calls of the channel (in-process HTTP/2 test server) and of the
# typed API (tests/server).  The library is linked statically (the
# convenience library) so that --wrap sends its allocations through
# tests/failmalloc/failmalloc.c; see the comment at the top of
# test_failmalloc.c for what is checked.
if HAVE_CRITERION
check_PROGRAMS += tests/failmalloc/test_failmalloc
TESTS += tests/failmalloc/test_failmalloc
tests_failmalloc_test_failmalloc_SOURCES = tests/failmalloc/test_failmalloc.c \
	tests/failmalloc/failmalloc.c tests/failmalloc/failmalloc.h \
	tests/transport/h2_test_server.c tests/transport/h2_test_server.h $(MV_ITEST_SOURCES)
tests_failmalloc_test_failmalloc_CPPFLAGS = $(MV_ITEST_CPPFLAGS) -I$(top_srcdir)/tests/transport \
	-I$(top_srcdir)/tests/integration
tests_failmalloc_test_failmalloc_LDFLAGS = \
	-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup
tests_failmalloc_test_failmalloc_LDADD = $(MV_TEST_LIBS) -ldl
endif
