# transport (layer 2), call (layer 3) and the shared option/status code
libmilvus_core_la_SOURCES += src/common/status.c
