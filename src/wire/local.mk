# SPDX-License-Identifier: Apache-2.0
libmilvus_core_la_SOURCES += src/wire/grpc_wire.h src/wire/grpc_wire.c
