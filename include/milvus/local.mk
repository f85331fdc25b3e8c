# SPDX-License-Identifier: Apache-2.0
milvusinclude_HEADERS += include/milvus/milvus.h include/milvus/common.h \
	include/milvus/options.h include/milvus/channel.h include/milvus/schema.h \
	include/milvus/column.h include/milvus/result.h include/milvus/client.h
