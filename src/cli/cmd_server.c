/* SPDX-License-Identifier: Apache-2.0 */
/* milvusctl: the server commands (version, health). */
#include <stdio.h>
#include <stdlib.h>

#include "milvusctl.h"

/* ---- commands ---------------------------------------------------------------------------- */

int cmd_version(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_get_server_version(a->s, &res);
    CHECK(a, rc, res, "version");
    if (a->json) {
        jopen('{');
        jstr("server_version", milvus_result_string(res));
        jstr("client_version", milvus_version());
        jstr("address", a->address);
        jclose('}');
        putchar('\n');
    } else {
        printf("server %s\nclient libmilvus %s\n", tx(milvus_result_string(res)), milvus_version());
    }
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

int cmd_health(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_check_health(a->s, &res);
    CHECK(a, rc, res, "health");
    int ok = milvus_result_bool(res);
    if (a->json) {
        jopen('{');
        jbool("healthy", ok);
        jkey("reasons");
        jopen('[');
        for (size_t i = 0; i < milvus_result_string_count(res); i++) {
            if (i)
                putchar(',');
            json_string(milvus_result_string_at(res, i));
        }
        jclose(']');
        jclose('}');
        putchar('\n');
    } else {
        printf("%s\n", ok ? "healthy" : "unhealthy");
        for (size_t i = 0; i < milvus_result_string_count(res); i++)
            printf("  %s\n", tx(milvus_result_string_at(res, i)));
    }
    milvus_result_unref(res);
    return ok ? EXIT_SUCCESS : EXIT_FAIL;
}
