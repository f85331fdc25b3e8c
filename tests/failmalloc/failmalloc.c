/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation-failure injection (see failmalloc.h). */
#define _GNU_SOURCE
#include "failmalloc.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

/* ---- state ----------------------------------------------------------------------- */

static int armed;
static long count, fail_at;
static int persist, fired;
static fm_stack fired_stack;
static long trace_seq;
static void (*on_fire)(void);
static void **sites;
static size_t sites_cap;
static fm_stack trace_stack;

/* Blocks allocated while armed: open addressing, linear probing, deletion
 * by backward shift (no tombstones).  Only the armed process writes it. */
#define FM_TABLE_BITS 18
#define FM_TABLE_CAP ((size_t)1 << FM_TABLE_BITS)
typedef struct fm_block {
    void *p;
    void *caller;
    size_t size;
    long seq;
} fm_block;
static fm_block table[FM_TABLE_CAP];
static long live;

static size_t slot_of(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> (64 - FM_TABLE_BITS));
}

static void track(void *p, size_t size, void *caller, long seq)
{
    size_t i = slot_of(p);
    if ((size_t)live >= FM_TABLE_CAP - FM_TABLE_CAP / 4) {
        static const char msg[] = "failmalloc: tracking table full\n";
        (void)!write(2, msg, sizeof(msg) - 1);
        abort();
    }
    while (table[i].p)
        i = (i + 1) & (FM_TABLE_CAP - 1);
    table[i].p = p;
    table[i].caller = caller;
    table[i].size = size;
    table[i].seq = seq;
    live++;
}

/* Removes p; returns 1 when it was tracked (its entry copied to *out). */
static int untrack(const void *p, fm_block *out)
{
    size_t i, j, k;
    if (!live || !p)
        return 0;
    i = slot_of(p);
    while (table[i].p && table[i].p != p)
        i = (i + 1) & (FM_TABLE_CAP - 1);
    if (!table[i].p)
        return 0;
    if (out)
        *out = table[i];
    live--;
    /* backward shift: move later entries of the cluster into the hole */
    j = i;
    for (;;) {
        j = (j + 1) & (FM_TABLE_CAP - 1);
        if (!table[j].p)
            break;
        k = slot_of(table[j].p);
        /* the entry at j may fill the hole at i unless its home slot k lies
         * cyclically in (i, j] */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        table[i] = table[j];
        i = j;
    }
    table[i].p = NULL;
    return 1;
}

/* Whether this allocation fails; counts it and numbers it in *seq. */
static int should_fail(long *seq, void *caller)
{
    *seq = 0;
    if (!armed)
        return 0;
    *seq = ++count;
    if (sites && (size_t)count <= sites_cap)
        sites[count - 1] = caller;
    if (fail_at > 0 && (count == fail_at || (persist && count > fail_at))) {
        if (!fired) {
            fired = 1;
            fired_stack.n = backtrace(fired_stack.pc, FM_STACK_MAX);
            if (on_fire)
                on_fire();
        }
        return 1;
    }
    if (count == trace_seq)
        trace_stack.n = backtrace(trace_stack.pc, FM_STACK_MAX);
    return 0;
}

static void *fm_malloc_at(size_t n, void *caller)
{
    long seq;
    void *p;
    if (should_fail(&seq, caller)) {
        errno = ENOMEM;
        return NULL;
    }
    p = __real_malloc(n);
    if (p && seq)
        track(p, n, caller, seq);
    return p;
}

static void *fm_calloc_at(size_t nmemb, size_t size, void *caller)
{
    long seq;
    void *p;
    if (should_fail(&seq, caller)) {
        errno = ENOMEM;
        return NULL;
    }
    p = __real_calloc(nmemb, size);
    if (p && seq)
        track(p, nmemb * size, caller, seq);
    return p;
}

static void *fm_realloc_at(void *p, size_t n, void *caller)
{
    long seq = 0;
    fm_block b;
    void *q;
    int was;
    if (p && n == 0) { /* glibc frees p */
        untrack(p, NULL);
        return __real_realloc(p, n);
    }
    if (should_fail(&seq, caller)) {
        errno = ENOMEM;
        return NULL;
    }
    q = __real_realloc(p, n);
    if (!q)
        return NULL;
    was = untrack(p, &b);
    if (seq)
        track(q, n, caller, seq);
    else if (was) /* grown after fm_disarm(): still the same block */
        track(q, n, b.caller, b.seq);
    return q;
}

static void fm_free(void *p)
{
    untrack(p, NULL);
    __real_free(p);
}

/* ---- --wrap entry points --------------------------------------------------------- */

void *__wrap_malloc(size_t n)
{
    return fm_malloc_at(n, __builtin_return_address(0));
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
    return fm_calloc_at(nmemb, size, __builtin_return_address(0));
}

void *__wrap_realloc(void *p, size_t n)
{
    return fm_realloc_at(p, n, __builtin_return_address(0));
}

void __wrap_free(void *p)
{
    fm_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = fm_malloc_at(n, __builtin_return_address(0));
    if (d)
        memcpy(d, s, n);
    return d;
}

char *__wrap_strndup(const char *s, size_t n)
{
    size_t l = strnlen(s, n);
    char *d = fm_malloc_at(l + 1, __builtin_return_address(0));
    if (d) {
        memcpy(d, s, l);
        d[l] = '\0';
    }
    return d;
}

/* ---- libevent and the libraries' GOT slots ------------------------------------- */

static void *fm_lib_malloc(size_t n)
{
    return fm_malloc_at(n, __builtin_return_address(0));
}

static void *fm_lib_calloc(size_t nmemb, size_t size)
{
    return fm_calloc_at(nmemb, size, __builtin_return_address(0));
}

static void *fm_lib_realloc(void *p, size_t n)
{
    return fm_realloc_at(p, n, __builtin_return_address(0));
}

static void fm_lib_free(void *p)
{
    fm_free(p);
}

static char hooked[128];

static void hooked_add(const char *name)
{
    size_t l = strlen(hooked);
    if (strstr(hooked, name))
        return;
    snprintf(hooked + l, sizeof(hooked) - l, "%s%s", l ? " " : "", name);
}

#if defined(__x86_64__) && defined(__ELF__)
#define FM_R_JUMP_SLOT R_X86_64_JUMP_SLOT
#define FM_R_GLOB_DAT R_X86_64_GLOB_DAT
#elif defined(__aarch64__) && defined(__ELF__)
#define FM_R_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define FM_R_GLOB_DAT R_AARCH64_GLOB_DAT
#endif

#ifdef FM_R_JUMP_SLOT
static const char *const hook_libs[] = {"libnghttp2", "libprotobuf-c"};

static void patch_slot(void **slot, void *fn)
{
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)slot & ~(pg - 1);
    if (mprotect((void *)a, pg, PROT_READ | PROT_WRITE) == 0)
        *slot = fn;
}

static void patch_relocs(const struct dl_phdr_info *info, const ElfW(Rela) * r, size_t n,
                         const ElfW(Sym) * syms, const char *strs)
{
    static const struct {
        const char *name;
        void *fn;
    } fns[] = {{"malloc", (void *)fm_lib_malloc},
               {"calloc", (void *)fm_lib_calloc},
               {"realloc", (void *)fm_lib_realloc},
               {"free", (void *)fm_lib_free}};
    for (size_t i = 0; i < n; i++) {
        unsigned long type = ELF64_R_TYPE(r[i].r_info);
        const char *name;
        if (type != FM_R_JUMP_SLOT && type != FM_R_GLOB_DAT)
            continue;
        name = strs + syms[ELF64_R_SYM(r[i].r_info)].st_name;
        for (size_t k = 0; k < sizeof(fns) / sizeof(fns[0]); k++)
            if (strcmp(name, fns[k].name) == 0)
                patch_slot((void **)(info->dlpi_addr + r[i].r_offset), fns[k].fn);
    }
}

/* The dynamic section's addresses are relocated by the loader on these
 * targets; an unrelocated one is taken relative to the load address. */
static uintptr_t dyn_addr(const struct dl_phdr_info *info, uintptr_t v)
{
    return v < info->dlpi_addr ? v + info->dlpi_addr : v;
}

static int hook_object(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *base = strrchr(info->dlpi_name, '/');
    const ElfW(Dyn) *dyn = NULL;
    const ElfW(Sym) *syms = NULL;
    const char *strs = NULL;
    const ElfW(Rela) *jmprel = NULL, *rela = NULL;
    size_t jmpsz = 0, relasz = 0;
    const char *lib = NULL;
    (void)size;
    (void)data;
    base = base ? base + 1 : info->dlpi_name;
    for (size_t i = 0; i < sizeof(hook_libs) / sizeof(hook_libs[0]); i++)
        if (strncmp(base, hook_libs[i], strlen(hook_libs[i])) == 0 &&
            strncmp(base + strlen(hook_libs[i]), ".so", 3) == 0)
            lib = hook_libs[i];
    if (!lib)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        switch (dyn->d_tag) {
        case DT_SYMTAB: syms = (const ElfW(Sym) *)dyn_addr(info, dyn->d_un.d_ptr); break;
        case DT_STRTAB: strs = (const char *)dyn_addr(info, dyn->d_un.d_ptr); break;
        case DT_JMPREL: jmprel = (const ElfW(Rela) *)dyn_addr(info, dyn->d_un.d_ptr); break;
        case DT_PLTRELSZ: jmpsz = dyn->d_un.d_val; break;
        case DT_RELA: rela = (const ElfW(Rela) *)dyn_addr(info, dyn->d_un.d_ptr); break;
        case DT_RELASZ: relasz = dyn->d_un.d_val; break;
        case DT_PLTREL:
            if (dyn->d_un.d_val != DT_RELA)
                return 0;
            break;
        default: break;
        }
    }
    if (!syms || !strs)
        return 0;
    if (jmprel)
        patch_relocs(info, jmprel, jmpsz / sizeof(ElfW(Rela)), syms, strs);
    if (rela)
        patch_relocs(info, rela, relasz / sizeof(ElfW(Rela)), syms, strs);
    hooked_add(lib);
    return 0;
}
#endif

const char *fm_hooked_libraries(void)
{
    return hooked;
}

/* ---- symbols of the program itself (.symtab: static functions too) ------------- */

static const ElfW(Sym) * exe_syms;
static const char *exe_strs;
static size_t *exe_index; /* STT_FUNC symbols by address */
static size_t exe_nindex;
static uintptr_t exe_bias;

static int by_value(const void *a, const void *b)
{
    ElfW(Addr) x = exe_syms[*(const size_t *)a].st_value;
    ElfW(Addr) y = exe_syms[*(const size_t *)b].st_value;
    return x < y ? -1 : x > y;
}

static void load_exe_symbols(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    const unsigned char *img;
    const ElfW(Ehdr) * eh;
    const ElfW(Shdr) * sh;
    size_t nsyms = 0;
    if (fd < 0)
        return;
    if (fstat(fd, &st) != 0 ||
        (img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
        close(fd);
        return;
    }
    close(fd);
    eh = (const ElfW(Ehdr) *)img;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || !eh->e_shoff)
        return;
    sh = (const ElfW(Shdr) *)(img + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == SHT_SYMTAB) {
            exe_syms = (const ElfW(Sym) *)(img + sh[i].sh_offset);
            exe_strs = (const char *)(img + sh[sh[i].sh_link].sh_offset);
            nsyms = sh[i].sh_size / sizeof(ElfW(Sym));
        }
    if (!exe_syms)
        return;
    exe_index = mmap(NULL, nsyms * sizeof(size_t) + 1, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (exe_index == MAP_FAILED) {
        exe_index = NULL;
        return;
    }
    for (size_t i = 0; i < nsyms; i++) {
        if (ELF64_ST_TYPE(exe_syms[i].st_info) != STT_FUNC || !exe_syms[i].st_value)
            continue;
        if (strcmp(exe_strs + exe_syms[i].st_name, "fm_symbol") == 0)
            exe_bias = (uintptr_t)fm_symbol - exe_syms[i].st_value;
        exe_index[exe_nindex++] = i;
    }
    qsort(exe_index, exe_nindex, sizeof(size_t), by_value);
}

const char *fm_symbol(void *pc, char *buf, size_t len)
{
    Dl_info di;
    uintptr_t a = (uintptr_t)pc - 1; /* inside the call instruction */
    if (exe_nindex) {
        size_t lo = 0, hi = exe_nindex;
        uintptr_t v = a - exe_bias;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (exe_syms[exe_index[mid]].st_value <= v)
                lo = mid;
            else
                hi = mid;
        }
        {
            const ElfW(Sym) *s = &exe_syms[exe_index[lo]];
            if (s->st_value <= v && v < s->st_value + (s->st_size ? s->st_size : 1)) {
                snprintf(buf, len, "%s", exe_strs + s->st_name);
                return buf;
            }
        }
    }
    if (dladdr((void *)a, &di) && di.dli_sname) {
        snprintf(buf, len, "%s", di.dli_sname);
        return buf;
    }
    if (dladdr((void *)a, &di) && di.dli_fname) {
        const char *b = strrchr(di.dli_fname, '/');
        snprintf(buf, len, "%s", b ? b + 1 : di.dli_fname);
        return buf;
    }
    snprintf(buf, len, "?");
    return buf;
}

static int own_frame(const char *name)
{
    return strncmp(name, "fm_", 3) == 0 || strncmp(name, "__wrap_", 7) == 0 ||
           strcmp(name, "should_fail") == 0 || strncmp(name, "event_mm_", 9) == 0 ||
           strncmp(name, "libasan.so", 10) == 0; /* its malloc, under ASan */
}

void fm_stack_text(const fm_stack *s, int depth, char *buf, size_t len)
{
    size_t off = 0;
    int shown = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->n && shown < depth && off + 1 < len; i++) {
        char name[128];
        fm_symbol(s->pc[i], name, sizeof(name));
        if (own_frame(name))
            continue;
        off += (size_t)snprintf(buf + off, len - off, "%s%s", shown ? " <- " : "", name);
        shown++;
        if (off >= len)
            off = len - 1;
    }
}

/* ---- control --------------------------------------------------------------------- */

void fm_arm(long at, int persistent)
{
    count = 0;
    fail_at = at;
    persist = persistent;
    fired = 0;
    fired_stack.n = 0;
    armed = 1;
}

void fm_disarm(void)
{
    armed = 0;
}

long fm_count(void)
{
    return count;
}

int fm_fired(void)
{
    return fired;
}

const fm_stack *fm_fired_stack(void)
{
    return &fired_stack;
}

long fm_live(void)
{
    return live;
}

void fm_on_fire(void (*cb)(void))
{
    on_fire = cb;
}

void fm_record_sites(void **buf, size_t cap)
{
    sites = buf;
    sites_cap = cap;
}

void fm_trace_seq(long seq)
{
    trace_seq = seq;
}

long fm_forget(const char *fn)
{
    long n = 0;
    for (size_t i = 0; i < FM_TABLE_CAP; i++) {
        char name[128];
        /* untrack() may shift a later entry into slot i: look at it again */
        while (table[i].p && strcmp(fm_symbol(table[i].caller, name, sizeof(name)), fn) == 0) {
            untrack(table[i].p, NULL);
            n++;
        }
    }
    return n;
}

void fm_print_live(FILE *f, int max)
{
    int shown = 0;
    for (size_t i = 0; i < FM_TABLE_CAP && shown < max; i++) {
        char name[128];
        if (!table[i].p)
            continue;
        fprintf(f, "  leaked: allocation #%ld, %zu bytes, from %s\n", table[i].seq, table[i].size,
                fm_symbol(table[i].caller, name, sizeof(name)));
        if (table[i].seq == trace_seq && trace_stack.n) {
            char text[1024];
            fm_stack_text(&trace_stack, 16, text, sizeof(text));
            fprintf(f, "    %s\n", text);
        }
        shown++;
    }
}

/* Before main: libevent must have its allocator before its first
 * allocation, and backtrace() loads its unwinder (allocating) once. */
__attribute__((constructor)) static void fm_init(void)
{
    void *pc[2];
    event_set_mem_functions(fm_lib_malloc, fm_lib_realloc, fm_lib_free);
    hooked_add("libevent");
#ifdef FM_R_JUMP_SLOT
    dl_iterate_phdr(hook_object, NULL);
#endif
    (void)backtrace(pc, 2);
    load_exe_symbols();
}
