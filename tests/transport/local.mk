# SPDX-License-Identifier: Apache-2.0
# rules for tests/transport: the transport and call layers against an
# in-process HTTP/2 gRPC server (h2_test_server), plaintext and TLS, and
# the limits of transport.h against a raw hostile peer (test_limits.c), and
# SIGPIPE left at its default while a server closes (test_sigpipe.c).
if HAVE_CRITERION
check_PROGRAMS += tests/transport/test_transport tests/transport/test_tls \
	tests/transport/test_limits tests/transport/test_sigpipe
tests_transport_test_transport_SOURCES = tests/transport/test_transport.c \
	tests/transport/h2_test_server.c tests/transport/h2_test_server.h
tests_transport_test_transport_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_transport_test_transport_LDADD = $(MV_TEST_LIBS)
tests_transport_test_tls_SOURCES = tests/transport/test_tls.c \
	tests/transport/h2_test_server.c tests/transport/h2_test_server.h
tests_transport_test_tls_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_transport_test_tls_LDADD = $(MV_TEST_LIBS)
tests_transport_test_limits_SOURCES = tests/transport/test_limits.c
tests_transport_test_limits_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_transport_test_limits_LDADD = $(MV_TEST_LIBS)
tests_transport_test_sigpipe_SOURCES = tests/transport/test_sigpipe.c \
	tests/transport/h2_test_server.c tests/transport/h2_test_server.h
tests_transport_test_sigpipe_CPPFLAGS = $(MV_TEST_CPPFLAGS)
tests_transport_test_sigpipe_LDADD = $(MV_TEST_LIBS)
TESTS += tests/transport/test_transport tests/transport/test_tls tests/transport/test_limits \
	tests/transport/test_sigpipe
endif
