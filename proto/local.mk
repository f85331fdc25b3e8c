# SPDX-License-Identifier: Apache-2.0
# Milvus wire schema: our .proto files (source tree) are compiled by protoc-c
# into proto/*.pb-c.[ch] in the BUILD tree (AM_CPPFLAGS has
# -I$(top_builddir)/proto).  The generated files are never committed, but
# they are shipped in the release tarball (with the stamp), so that building
# a release does not run protoc-c.

MV_PROTO_FILES = proto/common.proto \
	proto/schema.proto \
	proto/rg.proto \
	proto/msg.proto \
	proto/milvus.proto
MV_PROTO_C = proto/common.pb-c.c \
	proto/schema.pb-c.c \
	proto/rg.pb-c.c \
	proto/msg.pb-c.c \
	proto/milvus.pb-c.c
MV_PROTO_H = proto/common.pb-c.h \
	proto/schema.pb-c.h \
	proto/rg.pb-c.h \
	proto/msg.pb-c.h \
	proto/milvus.pb-c.h
MV_PROTO_GEN = $(MV_PROTO_C) $(MV_PROTO_H)

EXTRA_DIST += $(MV_PROTO_FILES) proto/protoc-c.stamp
BUILT_SOURCES += $(MV_PROTO_GEN)
MAINTAINERCLEANFILES = $(MV_PROTO_GEN) proto/protoc-c.stamp

# One protoc-c run produces every output; a rule with several targets would
# run it once per target under make -j, so the outputs hang off a stamp.
# (The .proto files import each other by bare name, hence -I.../proto.)
proto/protoc-c.stamp: $(MV_PROTO_FILES)
	@$(MKDIR_P) proto
	@rm -f $@.tmp && touch $@.tmp
	$(AM_V_GEN)$(PROTOC_C) -I$(top_srcdir)/proto --c_out=proto \
		$(MV_PROTO_FILES:proto/%=$(top_srcdir)/proto/%)
	@mv -f $@.tmp $@

# An output deleted after the stamp was made: rebuild through the stamp
# (recipe from the automake manual, "Handling Tools that Produce Many Outputs").
$(MV_PROTO_GEN): proto/protoc-c.stamp
	@test -f $@ || rm -f proto/protoc-c.stamp
	@test -f $@ || $(MAKE) $(AM_MAKEFLAGS) proto/protoc-c.stamp

# The generated code is compiled with the library's own flags: it is clean
# under WARN_CFLAGS (see the note on SearchRequest.search_input in
# proto/milvus.proto for the one ordering that keeps it so).
libmilvus_core_la_SOURCES += $(MV_PROTO_C) $(MV_PROTO_H)
