# SPDX-License-Identifier: Apache-2.0
# Examples of the typed API (issue 4): built with the library (noinst),
# linked against the public libmilvus.la only.  EXAMPLE_LIBS and
# EXAMPLE_CPPFLAGS come from examples/local.mk.
noinst_PROGRAMS += examples/quickstart
examples_quickstart_SOURCES = examples/quickstart.c
examples_quickstart_CPPFLAGS = $(EXAMPLE_CPPFLAGS)
examples_quickstart_LDADD = $(EXAMPLE_LIBS) -lm

noinst_PROGRAMS += examples/async_ingest
examples_async_ingest_SOURCES = examples/async_ingest.c
examples_async_ingest_CPPFLAGS = $(EXAMPLE_CPPFLAGS)
examples_async_ingest_LDADD = $(EXAMPLE_LIBS)

# evhttp comes from libevent_extra, part of $(LIBEVENT_LIBS).
noinst_PROGRAMS += examples/evhttp_search
examples_evhttp_search_SOURCES = examples/evhttp_search.c
examples_evhttp_search_CPPFLAGS = $(EXAMPLE_CPPFLAGS)
examples_evhttp_search_LDADD = $(EXAMPLE_LIBS) -lm
