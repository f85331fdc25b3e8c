/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-channel free lists of small blocks: the calls, their attempts and
 * streams, and the HTTP/2 session's per-stream state come from here (see
 * pool.c).  Owned by the channel (call layer), lent to its transport.
 * Internal to libmilvus.
 */
#ifndef MV_POOL_H
#define MV_POOL_H

#include <stddef.h>
#include <stdint.h>

#define MV_POOL_STEP 32
#define MV_POOL_CLASSES 20 /* blocks up to 640 bytes, header included */
#define MV_POOL_HDR 16
#define MV_POOL_MAX (MV_POOL_STEP * MV_POOL_CLASSES)

typedef struct mv_pool {
    void *head[MV_POOL_CLASSES]; /* free blocks, linked through their first word */
    size_t nfree[MV_POOL_CLASSES];
    size_t low[MV_POOL_CLASSES]; /* fewest free blocks since the last trim */
    size_t free_bytes;
    size_t max_free_bytes; /* blocks freed beyond this go back to malloc */
    int64_t trim_us;       /* when the next trim is due */
} mv_pool;

/* max_free_bytes bounds what the free lists keep. */
void mv_pool_init(mv_pool *p, size_t max_free_bytes);
/* malloc-like: NULL on failure; any size (large ones go to malloc). */
void *mv_pool_alloc(mv_pool *p, size_t n);
void *mv_pool_realloc(mv_pool *p, void *ptr, size_t n);
void mv_pool_free(mv_pool *p, void *ptr);
/* Gives back to malloc the free blocks left unused since the previous
 * trim (at most every MV_POOL_TRIM_MS; now from mv_now_us). */
void mv_pool_trim(mv_pool *p, int64_t now);
/* Gives every free block back to malloc. */
void mv_pool_release(mv_pool *p);

#endif /* MV_POOL_H */
