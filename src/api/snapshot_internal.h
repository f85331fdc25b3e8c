/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What snapshot.c (the options and the RPCs that answer at once) shares
 * with snapshot_jobs.c (the RPCs that start jobs, the job awaits and
 * flush-then-snapshot).  Internal to libmilvus.
 */
#ifndef MV_SNAPSHOT_INTERNAL_H
#define MV_SNAPSHOT_INTERNAL_H

#include <milvus/snapshot.h>

#include "api/api.h"

struct milvus_snapshot_options {
    char *description;
    int64_t protect_s;
    char *db;
    char *target_db;
    int rewrite;
    char *spec;
    int64_t ttl_s;
    mv_opterr err; /* refused setter values */
};

/* The database of o, or the client's. */
const char *mv_snapshot_db(const milvus_client *c, const milvus_snapshot_options *o);
/* Refuses option objects holding a refused value (either may be NULL). */
int mv_snapshot_check_opts(milvus_client *c, const char *opname, const milvus_snapshot_options *o,
                           const milvus_await_options *ao);
/* Step of the job-starting and pin RPCs: the job or pin id as int64. */
void mv_snapshot_id_step(mv_op *op, milvus_result *res);
/* A CreateSnapshot request for coll/name (pointers borrowed from the
 * arguments and from o). */
void mv_snapshot_create_req(milvus_client *c, Milvus__Proto__Milvus__CreateSnapshotRequest *req,
                            const char *coll, const char *name, const milvus_snapshot_options *o);

#endif /* MV_SNAPSHOT_INTERNAL_H */
