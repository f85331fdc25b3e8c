# SPDX-License-Identifier: Apache-2.0
# Examples: built with the library (noinst), run by `make demo`.
EXAMPLE_LIBS = libmilvus.la $(LIBEVENT_LIBS)
EXAMPLE_CPPFLAGS = -I$(top_builddir)/include -I$(top_srcdir)/include $(LIBEVENT_CFLAGS)

noinst_PROGRAMS += examples/raw_call
examples_raw_call_SOURCES = examples/raw_call.c
examples_raw_call_CPPFLAGS = $(EXAMPLE_CPPFLAGS)
examples_raw_call_LDADD = $(EXAMPLE_LIBS)

EXTRA_DIST += examples/demo.sh

# The README's demo: a local Milvus-protocol server unless MILVUS_URI is set.
demo: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' NODE='$(NODE)' \
	  $(SHELL) $(top_srcdir)/examples/demo.sh
.PHONY: demo
