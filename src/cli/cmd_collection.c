/* SPDX-License-Identifier: Apache-2.0 */
/* milvusctl: the collection commands (collection list, collection describe). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "milvusctl.h"

/* ---- commands ---------------------------------------------------------------------------- */

int cmd_collection_list(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_list_collections(a->s, &res);
    CHECK(a, rc, res, "collection list");
    print_names(a, res, "collections", NULL, NULL);
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

int cmd_collection_describe(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_describe_collection(a->s, a->pos[0], &res);
    CHECK(a, rc, res, "collection describe");
    const milvus_schema *sc = milvus_result_schema(res);
    size_t nf = milvus_schema_field_count(sc);
    if (a->json) {
        jopen('{');
        jstr("name", a->pos[0]);
        jid("id", milvus_result_int64(res));
        jstr("description", milvus_schema_description(sc));
        jbool("dynamic_field", milvus_schema_dynamic_field(sc));
        jkey("fields");
        jopen('[');
        for (size_t i = 0; i < nf; i++) {
            const milvus_field *f = milvus_schema_field_at(sc, i);
            if (i)
                putchar(',');
            jopen('{');
            jstr("name", milvus_field_name(f));
            jstr("type", milvus_data_type_name(milvus_field_type(f)));
            jbool("primary_key", milvus_field_is_primary_key(f));
            jbool("auto_id", milvus_field_is_auto_id(f));
            jbool("nullable", milvus_field_is_nullable(f));
            if (milvus_field_dim(f))
                jint("dim", milvus_field_dim(f));
            if (milvus_field_max_length(f))
                jint("max_length", milvus_field_max_length(f));
            jclose('}');
        }
        jclose(']');
        jkey("properties");
        jopen('{');
        for (size_t i = 0; i < milvus_result_property_count(res); i++)
            jstr(milvus_result_property_key(res, i), milvus_result_property_value(res, i));
        jclose('}');
        jclose('}');
        putchar('\n');
    } else {
        printf("collection %s (id %" PRId64 ")\n", a->pos[0], milvus_result_int64(res));
        if (*milvus_schema_description(sc))
            printf("  description: %s\n", tx(milvus_schema_description(sc)));
        for (size_t i = 0; i < nf; i++) {
            const milvus_field *f = milvus_schema_field_at(sc, i);
            printf("  %-20s %s", tx(milvus_field_name(f)),
                   milvus_data_type_name(milvus_field_type(f)));
            if (milvus_field_dim(f))
                printf(" dim=%" PRId64, milvus_field_dim(f));
            if (milvus_field_max_length(f))
                printf(" max_length=%" PRId64, milvus_field_max_length(f));
            if (milvus_field_is_primary_key(f))
                printf(" primary key%s", milvus_field_is_auto_id(f) ? " (auto id)" : "");
            if (milvus_field_is_nullable(f))
                printf(" nullable");
            putchar('\n');
        }
    }
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}
