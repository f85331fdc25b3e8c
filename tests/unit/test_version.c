/* SPDX-License-Identifier: Apache-2.0 */
/* The generated <milvus/version.h> agrees with configure.ac and with the
 * library it is compiled against. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include <milvus/milvus.h>

Test(version, header_matches_configure)
{
    char parts[32];
    snprintf(parts, sizeof(parts), "%d.%d.%d", MILVUS_VERSION_MAJOR, MILVUS_VERSION_MINOR,
             MILVUS_VERSION_PATCH);
    cr_assert_str_eq(MILVUS_VERSION_STRING, PACKAGE_VERSION);
    cr_assert_str_eq(parts, PACKAGE_VERSION);
}

Test(version, library_matches_header)
{
    cr_assert_str_eq(milvus_version(), MILVUS_VERSION_STRING);
    cr_assert_eq(milvus_version_num(), MILVUS_VERSION_NUM);
}

Test(version, number_orders_versions)
{
    cr_assert_eq(MILVUS_VERSION_NUM,
                 (MILVUS_VERSION_MAJOR << 16) | (MILVUS_VERSION_MINOR << 8) | MILVUS_VERSION_PATCH);
    cr_assert(
        MILVUS_VERSION_AT_LEAST(MILVUS_VERSION_MAJOR, MILVUS_VERSION_MINOR, MILVUS_VERSION_PATCH));
    cr_assert(MILVUS_VERSION_AT_LEAST(0, 0, 0));
    cr_assert(!MILVUS_VERSION_AT_LEAST(MILVUS_VERSION_MAJOR + 1, 0, 0));
    cr_assert(!MILVUS_VERSION_AT_LEAST(MILVUS_VERSION_MAJOR, MILVUS_VERSION_MINOR,
                                       MILVUS_VERSION_PATCH + 1));
}
