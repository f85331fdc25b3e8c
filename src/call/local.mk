# SPDX-License-Identifier: Apache-2.0
# call (layer 3): the channel and the generic RPC on it
libmilvus_core_la_SOURCES += src/call/call.h src/call/submit.h src/call/channel.c src/call/call.c
