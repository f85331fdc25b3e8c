# SPDX-License-Identifier: Apache-2.0
# rules for tests/interop: the gRPC interop client and the scripts that run
# it against independent servers (tests/peers: grpc-go, grpc-core, grpc-js,
# nginx).

# Our own grpc.testing messages, compiled with protoc-c into the build tree
# (one stamp: protoc-c writes both files in one run, once under make -j).
INTEROP_PB_C = tests/interop/grpc_testing.pb-c.c tests/interop/grpc_testing.pb-c.h
tests/interop/grpc_testing.pb-c.stamp: tests/interop/grpc_testing.proto
	$(AM_V_GEN)$(MKDIR_P) tests/interop && \
	$(PROTOC_C) --c_out=tests/interop -I$(top_srcdir)/tests/interop \
		$(top_srcdir)/tests/interop/grpc_testing.proto && touch $@
$(INTEROP_PB_C): tests/interop/grpc_testing.pb-c.stamp
	@test -f $@ || { rm -f tests/interop/grpc_testing.pb-c.stamp; \
		$(MAKE) $(AM_MAKEFLAGS) tests/interop/grpc_testing.pb-c.stamp; }

check_PROGRAMS += tests/interop/interop_client
tests_interop_interop_client_SOURCES = tests/interop/interop_client.c
nodist_tests_interop_interop_client_SOURCES = $(INTEROP_PB_C)
tests_interop_interop_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/tests/interop \
	$(LIBEVENT_CFLAGS) $(PROTOBUFC_CFLAGS)
tests_interop_interop_client_LDADD = libmilvus_core.la $(DEP_LIBS) -lm
# The generated header must exist before the client is compiled.
tests/interop/interop_client-interop_client.$(OBJEXT): tests/interop/grpc_testing.pb-c.h
CLEANFILES += $(INTEROP_PB_C) tests/interop/grpc_testing.pb-c.stamp

EXTRA_DIST += tests/interop/grpc_testing.proto tests/interop/interop-lib.sh

TESTS += tests/interop/interop-go.sh tests/interop/interop-core.sh \
	tests/interop/interop-js.sh tests/interop/interop-nginx.sh
EXTRA_DIST += tests/interop/interop-go.sh tests/interop/interop-core.sh \
	tests/interop/interop-js.sh tests/interop/interop-nginx.sh

# ---- tests/peers: the independent servers (sources only; the grpc-go
# binary, its GOCACHE and the TLS material live in the build tree
# and are made by the scripts at test time).
EXTRA_DIST += tests/peers/peers.sh tests/peers/certs.sh tests/peers/nginx.conf.in \
	tests/peers/go/server.go tests/peers/go/canned/canned_server.go \
	tests/peers/go/rawcodec/rawcodec.go \
	tests/peers/go-build.sh tests/go.mod tests/go.sum \
	tests/peers/core/server.py tests/peers/core/check_peer.py \
	tests/peers/js/server.js tests/peers/js/test_service.proto

clean-local: clean-interop-peers
clean-interop-peers:
	-chmod -R u+w tests/peers/go-cache 2>/dev/null
	-rm -rf tests/peers/go-bin tests/peers/go-cache tests/peers/gopath
.PHONY: clean-interop-peers
