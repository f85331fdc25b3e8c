# SPDX-License-Identifier: Apache-2.0
# Round trips of every data type between libmilvus and pymilvus through a
# real server (tests/roundtrip/roundtrip.sh, run by the real-server
# runner with MILVUS_URI, MILVUS_TOKEN and MILVUS_SERVER_KIND set; on its
# own it starts the test server).  The C side uses the public API only
# and links the public library.
check_PROGRAMS += tests/roundtrip/roundtrip
tests_roundtrip_roundtrip_SOURCES = tests/roundtrip/roundtrip.c
tests_roundtrip_roundtrip_CPPFLAGS = $(AM_CPPFLAGS) $(DEP_CFLAGS)
tests_roundtrip_roundtrip_LDADD = libmilvus.la $(DEP_LIBS) -lm
# Against the test server here; against each real server in tests/real.
TESTS += tests/roundtrip/roundtrip.sh
EXTRA_DIST += tests/roundtrip/roundtrip.sh tests/roundtrip/roundtrip.py \
	tests/roundtrip/compare.py
