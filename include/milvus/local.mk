milvusinclude_HEADERS += include/milvus/milvus.h include/milvus/common.h \
	include/milvus/options.h include/milvus/channel.h
