/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A main() for fuzz targets built without libFuzzer, so that an ordinary
 * `make check` runs every target as a quick smoke test.
 *
 * Usage (a subset of libFuzzer's command line, so scripts work with both):
 *   fuzz_x [-runs=N] [-seed=S] [-max_len=L] [-other=ignored] [FILE|DIR]...
 * Every FILE, and every regular file in each DIR, is run once (directories
 * are only read, never written).  Then N inputs (default 10000) are
 * generated with a fixed-seed PRNG: half are mutations of the loaded files,
 * half random bytes biased towards small values.  A crash or abort() in
 * the target ends the process; otherwise it prints one TAP line.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    uint8_t *p;
    size_t n;
};

static struct input *inputs;
static size_t ninputs, inputs_cap;
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    /* xorshift64*: fixed seed, so every run tests the same inputs. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return q;
}

static int load_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    uint8_t *p = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 4096;
            p = xrealloc(p, cap);
        }
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(p);
        return -1;
    }
    if (ninputs == inputs_cap) {
        inputs_cap = inputs_cap ? inputs_cap * 2 : 16;
        inputs = xrealloc(inputs, inputs_cap * sizeof *inputs);
    }
    inputs[ninputs].p = p;
    inputs[ninputs].n = n;
    ninputs++;
    return 0;
}

static int load_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return load_file(path);
    DIR *dir = opendir(path);
    if (dir == NULL)
        return -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *full = xrealloc(NULL, len);
        snprintf(full, len, "%s/%s", path, e->d_name);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && load_file(full) != 0)
            rc = -1;
        free(full);
    }
    closedir(dir);
    return rc;
}

/* Copies a loaded input (or nothing) into buf and mutates it a little. */
static size_t mutate(uint8_t *buf, size_t max_len)
{
    size_t n = 0;
    if (ninputs > 0) {
        const struct input *in = &inputs[rng() % ninputs];
        n = in->n < max_len ? in->n : max_len;
        memcpy(buf, in->p, n);
    }
    int rounds = 1 + (int)(rng() % 4);
    for (int r = 0; r < rounds; r++) {
        size_t pos = n ? (size_t)(rng() % n) : 0;
        switch (rng() % 6) {
        case 0: /* flip a bit */
            if (n)
                buf[pos] ^= (uint8_t)(1u << (rng() % 8));
            break;
        case 1: /* set an interesting byte */
            if (n) {
                static const uint8_t v[] = {0, 1, 2, 0x7F, 0x80, 0xFF, '%', '=', ',', ':'};
                buf[pos] = v[rng() % sizeof v];
            }
            break;
        case 2: /* insert a byte */
            if (n < max_len) {
                memmove(buf + pos + 1, buf + pos, n - pos);
                buf[pos] = (uint8_t)rng();
                n++;
            }
            break;
        case 3: /* delete a byte */
            if (n) {
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            }
            break;
        case 4: /* truncate */ n = pos; break;
        default: /* overwrite a byte at random */
            if (n)
                buf[pos] = (uint8_t)rng();
            break;
        }
    }
    return n;
}

static size_t random_input(uint8_t *buf, size_t max_len)
{
    size_t n = (size_t)(rng() % (max_len + 1));
    if (rng() % 2)
        n %= 64; /* many short inputs: most parsers take short strings */
    for (size_t i = 0; i < n; i++) {
        uint64_t x = rng();
        buf[i] = (x & 0x100) ? (uint8_t)(x % 5) : (uint8_t)x;
    }
    return n;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int main(int argc, char **argv)
{
    long runs = 10000;
    size_t max_len = 4096;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "-runs=", 6) == 0) {
            runs = strtol(a + 6, NULL, 10);
        } else if (strncmp(a, "-seed=", 6) == 0) {
            uint64_t seed = strtoull(a + 6, NULL, 10);
            rng_state = seed ? seed : rng_state;
        } else if (strncmp(a, "-max_len=", 9) == 0) {
            long v = strtol(a + 9, NULL, 10);
            if (v > 0)
                max_len = (size_t)v;
        } else if (a[0] == '-') {
            continue; /* other libFuzzer options do not apply here */
        } else if (load_path(a) != 0) {
            printf("1..1\nnot ok 1 - %s: cannot read %s\n", base_name(argv[0]), a);
            return 1;
        }
    }
    if (runs < 0)
        runs = 0;

    for (size_t i = 0; i < ninputs; i++) {
        /* A private copy, exactly sized, so ASan sees overreads. */
        uint8_t *copy = xrealloc(NULL, inputs[i].n);
        if (inputs[i].n)
            memcpy(copy, inputs[i].p, inputs[i].n);
        LLVMFuzzerTestOneInput(copy, inputs[i].n);
        free(copy);
    }
    uint8_t *buf = xrealloc(NULL, max_len);
    for (long r = 0; r < runs; r++) {
        size_t n = (r % 2) ? mutate(buf, max_len) : random_input(buf, max_len);
        uint8_t *copy = xrealloc(NULL, n);
        if (n)
            memcpy(copy, buf, n);
        LLVMFuzzerTestOneInput(copy, n);
        free(copy);
    }
    free(buf);
    for (size_t i = 0; i < ninputs; i++)
        free(inputs[i].p);
    free(inputs);
    printf("1..1\nok 1 - %s: %zu corpus inputs and %ld generated inputs\n", base_name(argv[0]),
           ninputs, runs);
    return 0;
}
