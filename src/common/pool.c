/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The block pool of pool.h.
 */
#include <stdlib.h>
#include <string.h>

#include "common/pool.h"

/* ---- block pool ----
 *
 * Each block starts with a header naming its size class, so that a block
 * is freed without its size (nghttp2's allocator interface gives none).
 * Free blocks wait on per-class lists for the next call instead of going
 * back to malloc: with 100k calls in flight (about 1 KiB each here), the
 * memory of a burst given back to malloc can go back to the kernel
 * (malloc_trim, heap-top trimming) and then has to be faulted in again
 * page by page by the next burst, at about 20 us a page under
 * virtualization: that, not instructions, made a call cost twice as much
 * at 100k in flight as at 1k.  The lists are bounded by max_free_bytes
 * and hold at most the peak of blocks once live together; blocks left
 * unused for a whole trim interval go back to malloc. */

#define MV_POOL_TRIM_MS 2000

typedef struct mv_pool_hdr {
    size_t cls;  /* size class; MV_POOL_CLASSES: allocated by malloc alone */
    size_t size; /* requested size of a malloc'd block (for realloc) */
} mv_pool_hdr;

_Static_assert(sizeof(mv_pool_hdr) <= MV_POOL_HDR, "pool header fits");

static size_t pool_block_size(size_t k)
{
    return (k + 1) * MV_POOL_STEP;
}

static mv_pool_hdr *pool_hdr(void *ptr)
{
    return (mv_pool_hdr *)(void *)((char *)ptr - MV_POOL_HDR);
}

void mv_pool_init(mv_pool *p, size_t max_free_bytes)
{
    memset(p, 0, sizeof(*p));
    p->max_free_bytes = max_free_bytes;
}

void *mv_pool_alloc(mv_pool *p, size_t n)
{
    mv_pool_hdr *h;
    size_t k;
    if (n > MV_POOL_MAX - MV_POOL_HDR) {
        if (n > SIZE_MAX - MV_POOL_HDR || !(h = malloc(MV_POOL_HDR + n)))
            return NULL;
        h->cls = MV_POOL_CLASSES;
        h->size = n;
        return (char *)h + MV_POOL_HDR;
    }
    k = (n + MV_POOL_HDR + MV_POOL_STEP - 1) / MV_POOL_STEP - 1;
    h = p->head[k];
    if (h) {
        p->head[k] = *(void **)h;
        if (--p->nfree[k] < p->low[k])
            p->low[k] = p->nfree[k];
        p->free_bytes -= pool_block_size(k);
    } else if (!(h = malloc(pool_block_size(k)))) {
        return NULL;
    }
    h->cls = k;
    h->size = 0;
    return (char *)h + MV_POOL_HDR;
}

void mv_pool_free(mv_pool *p, void *ptr)
{
    mv_pool_hdr *h;
    size_t k;
    if (!ptr)
        return;
    h = pool_hdr(ptr);
    k = h->cls;
    if (k >= MV_POOL_CLASSES || p->free_bytes + pool_block_size(k) > p->max_free_bytes) {
        free(h);
        return;
    }
    *(void **)h = p->head[k];
    p->head[k] = h;
    p->nfree[k]++;
    p->free_bytes += pool_block_size(k);
}

void *mv_pool_realloc(mv_pool *p, void *ptr, size_t n)
{
    mv_pool_hdr *h;
    size_t cap;
    void *np;
    if (!ptr)
        return mv_pool_alloc(p, n);
    if (n == 0) {
        mv_pool_free(p, ptr);
        return NULL;
    }
    h = pool_hdr(ptr);
    if (h->cls >= MV_POOL_CLASSES && n > MV_POOL_MAX - MV_POOL_HDR) {
        /* on failure the block stays as it was, as realloc leaves it */
        mv_pool_hdr *nh = n > SIZE_MAX - MV_POOL_HDR ? NULL : realloc(h, MV_POOL_HDR + n);
        if (!nh)
            return NULL;
        nh->size = n;
        return (char *)nh + MV_POOL_HDR;
    }
    cap = h->cls >= MV_POOL_CLASSES ? h->size : pool_block_size(h->cls) - MV_POOL_HDR;
    if (h->cls < MV_POOL_CLASSES && n <= cap)
        return ptr;
    np = mv_pool_alloc(p, n);
    if (!np)
        return NULL;
    memcpy(np, ptr, cap < n ? cap : n);
    mv_pool_free(p, ptr);
    return np;
}

static void pool_drop(mv_pool *p, size_t k, size_t count)
{
    while (count-- && p->head[k]) {
        void *b = p->head[k];
        p->head[k] = *(void **)b;
        p->nfree[k]--;
        p->free_bytes -= pool_block_size(k);
        free(b);
    }
}

void mv_pool_trim(mv_pool *p, int64_t now)
{
    size_t k;
    if (now < p->trim_us)
        return;
    p->trim_us = now + (int64_t)MV_POOL_TRIM_MS * 1000;
    for (k = 0; k < MV_POOL_CLASSES; k++) {
        pool_drop(p, k, p->low[k]);
        p->low[k] = p->nfree[k];
    }
}

void mv_pool_release(mv_pool *p)
{
    size_t k;
    for (k = 0; k < MV_POOL_CLASSES; k++) {
        pool_drop(p, k, SIZE_MAX);
        p->low[k] = 0;
    }
}
