# SPDX-License-Identifier: Apache-2.0
# rules for src/cli: milvusctl, built only on the public API (libmilvus.la)
bin_PROGRAMS += src/cli/milvusctl
src_cli_milvusctl_SOURCES = src/cli/milvusctl.c src/cli/milvusctl.h src/cli/cmd_server.c \
	src/cli/cmd_collection.c src/cli/cmd_snapshot.c
src_cli_milvusctl_CPPFLAGS = -I$(top_builddir)/include -I$(top_srcdir)/include
src_cli_milvusctl_LDADD = libmilvus.la
dist_man_MANS += src/cli/milvusctl.1
