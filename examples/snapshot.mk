# SPDX-License-Identifier: Apache-2.0
# The snapshot headline demo (examples/snapshot_restore.c), run by
# `make demo` when DEMO_PROGRAMS includes snapshot_restore.
noinst_PROGRAMS += examples/snapshot_restore
examples_snapshot_restore_SOURCES = examples/snapshot_restore.c
examples_snapshot_restore_CPPFLAGS = $(EXAMPLE_CPPFLAGS)
examples_snapshot_restore_LDADD = $(EXAMPLE_LIBS)
