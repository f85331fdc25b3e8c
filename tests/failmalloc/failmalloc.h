/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation-failure injection for tests/failmalloc.
 *
 * Which allocations go through the counter:
 *  - every malloc, calloc, realloc, strdup and strndup made by code linked
 *    statically into the test program: the objects of libmilvus_core.la
 *    and the test's own (the link uses -Wl,--wrap=..., so their calls
 *    land in __wrap_malloc & co.).  nghttp2's per-session allocations are
 *    among them: the channel gives nghttp2 its own allocator (h2mem over
 *    the channel's block pool, which calls malloc);
 *  - libevent's (event_set_mem_functions(), which covers libevent_core and
 *    libevent_extra);
 *  - those libnghttp2 and libprotobuf-c make with their default allocators
 *    (nghttp2_session_callbacks_new(), nghttp2_option_new(), every
 *    protobuf_c_message_unpack() of a response): the malloc, calloc,
 *    realloc and free slots of their global offset tables are pointed at
 *    the counter when the program starts (ELF on x86-64 and AArch64; on
 *    other targets they are not counted and fm_hooked_libraries() says
 *    so).
 * Not counted: the C library's own (getaddrinfo, stdio, localtime) and
 * OpenSSL's (the tests run plaintext).
 *
 * Between fm_arm() and fm_disarm() every counted allocation gets a
 * sequence number from 1; the one numbered fail_at fails (NULL, errno
 * ENOMEM), and with persist every later one too.  Blocks allocated while
 * armed are tracked until freed: fm_live() is the number still held.
 */
#ifndef MV_FAILMALLOC_H
#define MV_FAILMALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FM_STACK_MAX 24

typedef struct fm_stack {
    void *pc[FM_STACK_MAX];
    int n;
} fm_stack;

/* The wrapped functions (see --wrap in local.mk). */
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void *__real_malloc(size_t n);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

/* Counts from 0 again and starts tracking; fail_at 0: nothing fails. */
void fm_arm(long fail_at, int persist);
/* Stops failing and counting; tracked blocks stay tracked until freed. */
void fm_disarm(void);
/* Allocations counted since fm_arm(). */
long fm_count(void);
/* Whether the allocation numbered fail_at was reached (and failed). */
int fm_fired(void);
/* The call stack of the allocation that failed first (n 0 before). */
const fm_stack *fm_fired_stack(void);
/* Called once the failure was injected, from inside the failing
 * allocation (its stack already in fm_fired_stack()): for a record that
 * outlives a crash. */
void fm_on_fire(void (*cb)(void));
/* Blocks allocated since fm_arm() and not freed yet. */
long fm_live(void);
/* Stops tracking the blocks allocated from function fn (kept for the
 * life of the process by design); returns how many. */
long fm_forget(const char *fn);
/* Prints up to max of them: sequence number, size, allocating function. */
void fm_print_live(FILE *f, int max);
/* While armed, the caller of allocation seq goes to sites[seq - 1] (for
 * seq <= cap; NULL buffer: none). */
void fm_record_sites(void **sites, size_t cap);
/* Sequence number whose call stack fm_print_live() also prints (0: none). */
void fm_trace_seq(long seq);

/* Name of the function containing pc ("?" when unknown), into buf. */
const char *fm_symbol(void *pc, char *buf, size_t len);
/* The stack as "f1 < f2 < f3" (innermost first), up to depth frames of
 * libmilvus and the libraries; frames of this file are left out. */
void fm_stack_text(const fm_stack *s, int depth, char *buf, size_t len);
/* The shared libraries whose allocations are counted, e.g.
 * "libevent libnghttp2 libprotobuf-c". */
const char *fm_hooked_libraries(void);

#endif /* MV_FAILMALLOC_H */
