/* SPDX-License-Identifier: Apache-2.0 */
#include <milvus/version.h>

const char *milvus_version(void)
{
    return MILVUS_VERSION_STRING;
}

int milvus_version_num(void)
{
    return MILVUS_VERSION_NUM;
}
