# SPDX-License-Identifier: Apache-2.0
# Fuzz targets (libFuzzer entry point LLVMFuzzerTestOneInput).
#
# Two builds of the same sources:
#  - default: each target is linked with tests/fuzz/standalone_main.c, and
#    `make check` runs tests/fuzz/smoke.sh, which runs every fuzz_* program
#    in tests/fuzz over its seed corpus plus a few thousand generated inputs
#    (a quick smoke test; with --enable-sanitizers under ASan/UBSan too);
#  - --enable-fuzzers (CC=clang): real libFuzzer binaries built with
#    -fsanitize=fuzzer,address,undefined.  smoke.sh runs them with -runs=N;
#    tests/fuzz/run-fuzzers.sh BUILDDIR/tests/fuzz SECONDS fuzzes for real.
#
# Adding a target fuzz_NAME:
#  1. write tests/fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput (and no
#     main);
#  2. optionally put seed inputs in tests/fuzz/corpus/NAME/ and list them
#     in EXTRA_DIST below (smoke.sh and run-fuzzers.sh find them by name);
#  3. copy one of the blocks below, replacing the target name.  Wire
#     targets compile src/wire/grpc_wire.c into the program, so that
#     libFuzzer's coverage instrumentation covers the code under test.
#     A target that needs the whole library links libmilvus_core.la
#     instead: see the fuzz_session block at the end.
# smoke.sh picks up every fuzz_* program by itself.

if ENABLE_FUZZERS
MV_FUZZ_MAIN =
MV_FUZZ_SANITIZE = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
MV_FUZZ_COMPILE_OPTS = $(AM_CFLAGS) $(MV_FUZZ_SANITIZE) -fno-omit-frame-pointer -g
MV_FUZZ_LINK_OPTS = $(MV_FUZZ_SANITIZE)
else
MV_FUZZ_MAIN = tests/fuzz/standalone_main.c
MV_FUZZ_COMPILE_OPTS = $(AM_CFLAGS)
MV_FUZZ_LINK_OPTS =
endif
MV_FUZZ_INCLUDES = $(AM_CPPFLAGS)

# --- fuzz_wire_deframe: the 5-byte deframer under fuzzer-chosen splits ---
check_PROGRAMS += tests/fuzz/fuzz_wire_deframe
tests_fuzz_fuzz_wire_deframe_SOURCES = tests/fuzz/fuzz_wire_deframe.c src/wire/grpc_wire.c \
	$(MV_FUZZ_MAIN)
tests_fuzz_fuzz_wire_deframe_CPPFLAGS = $(MV_FUZZ_INCLUDES)
tests_fuzz_fuzz_wire_deframe_CFLAGS = $(MV_FUZZ_COMPILE_OPTS)
tests_fuzz_fuzz_wire_deframe_LDFLAGS = $(MV_FUZZ_LINK_OPTS)

# --- fuzz_wire_parse: timeout, percent, base64, status, content-type, md ---
check_PROGRAMS += tests/fuzz/fuzz_wire_parse
tests_fuzz_fuzz_wire_parse_SOURCES = tests/fuzz/fuzz_wire_parse.c src/wire/grpc_wire.c \
	$(MV_FUZZ_MAIN)
tests_fuzz_fuzz_wire_parse_CPPFLAGS = $(MV_FUZZ_INCLUDES)
tests_fuzz_fuzz_wire_parse_CFLAGS = $(MV_FUZZ_COMPILE_OPTS)
tests_fuzz_fuzz_wire_parse_LDFLAGS = $(MV_FUZZ_LINK_OPTS)

# --- fuzz_session: arbitrary server bytes into a client connection ---
# The library is linked whole; under --enable-fuzzers configure compiles it
# with -fsanitize=fuzzer-no-link so that libFuzzer's coverage reaches it.
check_PROGRAMS += tests/fuzz/fuzz_session
tests_fuzz_fuzz_session_SOURCES = tests/fuzz/fuzz_session.c $(MV_FUZZ_MAIN)
tests_fuzz_fuzz_session_CPPFLAGS = $(MV_FUZZ_INCLUDES) $(DEP_CFLAGS)
tests_fuzz_fuzz_session_CFLAGS = $(MV_FUZZ_COMPILE_OPTS)
tests_fuzz_fuzz_session_LDFLAGS = $(MV_FUZZ_LINK_OPTS)
tests_fuzz_fuzz_session_LDADD = libmilvus_core.la $(DEP_LIBS) -lm
# (seed inputs, if any: tests/fuzz/corpus/session/*, add them to EXTRA_DIST)

TESTS += tests/fuzz/smoke.sh
EXTRA_DIST += tests/fuzz/smoke.sh tests/fuzz/run-fuzzers.sh tests/fuzz/standalone_main.c \
	tests/fuzz/corpus/wire_deframe/seed-01-split \
	tests/fuzz/corpus/wire_deframe/seed-02-too-large \
	tests/fuzz/corpus/wire_deframe/seed-03-abort \
	tests/fuzz/corpus/wire_deframe/seed-04-compressed \
	tests/fuzz/corpus/wire_deframe/seed-05-truncated \
	tests/fuzz/corpus/wire_deframe/seed-06-bad-flag \
	tests/fuzz/corpus/wire_deframe/seed-07-large \
	tests/fuzz/corpus/wire_parse/seed-01-timeout \
	tests/fuzz/corpus/wire_parse/seed-02-timeout-max \
	tests/fuzz/corpus/wire_parse/seed-03-percent \
	tests/fuzz/corpus/wire_parse/seed-04-base64 \
	tests/fuzz/corpus/wire_parse/seed-05-base64-padded \
	tests/fuzz/corpus/wire_parse/seed-06-content-type \
	tests/fuzz/corpus/wire_parse/seed-07-status \
	tests/fuzz/corpus/wire_parse/seed-08-md-bin \
	tests/fuzz/corpus/wire_parse/seed-09-md \
	tests/fuzz/corpus/wire_parse/seed-10-md-reserved \
	tests/fuzz/corpus/wire_parse/seed-11-utf8

# `make fuzz` builds every fuzz target (real libFuzzer binaries under
# --enable-fuzzers); tests/fuzz/run-fuzzers.sh runs them.
fuzz: tests/fuzz/fuzz_wire_deframe tests/fuzz/fuzz_wire_parse tests/fuzz/fuzz_session
.PHONY: fuzz
