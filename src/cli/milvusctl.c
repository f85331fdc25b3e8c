/* SPDX-License-Identifier: Apache-2.0 */
/*
 * milvusctl — snapshot and collection operations from the shell.
 * Built only on the public API (<milvus/milvus.h>, <milvus/snapshot.h>,
 * <milvus/sync.h>).  Exit status: 0 success, 1 failure (server, transport,
 * failed job), 2 bad arguments.  See milvusctl(1).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milvusctl.h"

const char *prog = "milvusctl";

static const char global_usage[] =
    "usage: milvusctl [--uri URI] [--token TOKEN | --user USER --password PASS] [--db DB]\n"
    "                 [--json] [--timeout SECONDS] COMMAND [ARGS]\n";

static const char global_help[] =
    "\n"
    "Global options:\n"
    "  --uri URI          server address (default $MILVUS_URI, else localhost:19530)\n"
    "  --token TOKEN      API key or user:password (default $MILVUS_TOKEN)\n"
    "  --user USER --password PASS   credentials\n"
    "  --db DB            database (default: the server's default)\n"
    "  --json             print one JSON document\n"
    "  --timeout SECONDS  bound on connecting and on each request (default 10)\n"
    "  --help             this help; COMMAND --help for a command's\n"
    "  --version          milvusctl's version and the libmilvus version it runs with\n";

/* ---- output helpers ------------------------------------------------------------------ */

static void print_command_usage(FILE *f, const command *c)
{
    fprintf(f, "usage: milvusctl [GLOBAL OPTIONS] %s%s%s %s\n", c->group ? c->group : "",
            c->group ? " " : "", c->name, c->synopsis);
}

void usage_error(const args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (a && a->cmd)
        print_command_usage(stderr, a->cmd);
    else
        fputs(global_usage, stderr);
    fprintf(stderr, "Try 'milvusctl --help'.\n");
}

/* Text from the server is untrusted: on a terminal or in a log it must
 * not carry control sequences or extra lines.  tx() returns an escaped
 * copy (milvus_escape_text()) valid until eight more tx() calls; out of
 * memory, a placeholder. */
const char *tx(const char *s)
{
    static char *ring[8];
    static size_t cap[8];
    static unsigned next;
    unsigned k = next++ % 8;
    size_t len = s ? strlen(s) : 0;
    size_t need = milvus_escape_text(NULL, 0, s, len) + 1;
    if (need > cap[k]) {
        char *n = realloc(ring[k], need);
        if (!n)
            return "(out of memory)";
        ring[k] = n;
        cap[k] = need;
    }
    milvus_escape_text(ring[k], cap[k], s, len);
    return ring[k];
}

/* The length of the well-formed UTF-8 character at p (NUL-terminated),
 * 0 when the bytes there are not one. */
static size_t utf8_width(const unsigned char *p)
{
    size_t len = p[0] < 0x80   ? 1
                 : p[0] < 0xc2 ? 0
                 : p[0] < 0xe0 ? 2
                 : p[0] < 0xf0 ? 3
                 : p[0] < 0xf5 ? 4
                               : 0;
    unsigned lo = 0x80, hi = 0xbf;
    if (p[0] == 0xe0)
        lo = 0xa0;
    else if (p[0] == 0xed)
        hi = 0x9f;
    else if (p[0] == 0xf0)
        lo = 0x90;
    else if (p[0] == 0xf4)
        hi = 0x8f;
    if (len > 1 && (p[1] < lo || p[1] > hi))
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

/* A JSON string: control characters (C0, DEL and C1) as \u escapes, and
 * bytes that are not UTF-8 as U+FFFD, so that the document is valid JSON
 * and safe on a terminal. */
void json_string(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    putchar('"');
    while (*p) {
        size_t u = utf8_width(p);
        if (u == 0) {
            fputs("\\ufffd", stdout);
            p++;
            continue;
        }
        if (u == 2 && p[0] == 0xc2 && p[1] <= 0x9f) {
            printf("\\u%04x", p[1]);
            p += 2;
            continue;
        }
        if (u > 1) {
            fwrite(p, 1, u, stdout);
            p += u;
            continue;
        }
        switch (*p) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\b': fputs("\\b", stdout); break;
        case '\f': fputs("\\f", stdout); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                printf("\\u%04x", *p);
            else
                putchar(*p);
        }
        p++;
    }
    putchar('"');
}

/* "key": (with a comma before all but the first key of an object) */
static int json_first;
void jkey(const char *k)
{
    if (!json_first)
        putchar(',');
    json_first = 0;
    json_string(k);
    putchar(':');
}
void jopen(char c)
{
    putchar(c);
    json_first = 1;
}
void jclose(char c)
{
    putchar(c);
    json_first = 0;
}
void jstr(const char *k, const char *v)
{
    jkey(k);
    json_string(v);
}
void jint(const char *k, int64_t v)
{
    jkey(k);
    printf("%" PRId64, v);
}
/* 64-bit ids as strings: JSON numbers lose precision beyond 2^53 */
void jid(const char *k, int64_t v)
{
    jkey(k);
    printf("\"%" PRId64 "\"", v);
}
void jbool(const char *k, int v)
{
    jkey(k);
    fputs(v ? "true" : "false", stdout);
}

/* A failure of an operation: one line.  Transport and authentication
 * problems name the address. */
int fail_result(args *a, int rc, const milvus_result *res, const char *what)
{
    const char *msg = res ? milvus_result_message(res) : milvus_sync_last_error(a->s);
    int grpc = res ? milvus_result_grpc_code(res) : 0;
    if (!msg || !*msg)
        msg = milvus_strerror(rc);
    if ((rc <= MILVUS_ERR_RESOLVE && rc >= MILVUS_ERR_TIMEOUT) ||
        (rc == MILVUS_ERR_GRPC &&
         (grpc == MILVUS_GRPC_UNAUTHENTICATED || grpc == MILVUS_GRPC_UNAVAILABLE ||
          grpc == MILVUS_GRPC_PERMISSION_DENIED)))
        fprintf(stderr, "%s: %s: %s\n", prog, tx(a->address), tx(msg));
    else
        fprintf(stderr, "%s: %s: %s\n", prog, what, tx(msg));
    return EXIT_FAIL;
}

/* Names of a list answer: one a line, or {"key": [...], extra...}. */
void print_names(const args *a, const milvus_result *res, const char *key, const char *ctx_key,
                 const char *ctx_val)
{
    if (a->json) {
        jopen('{');
        if (ctx_key)
            jstr(ctx_key, ctx_val);
        jkey(key);
        jopen('[');
        for (size_t i = 0; i < milvus_result_string_count(res); i++) {
            if (i)
                putchar(',');
            json_string(milvus_result_string_at(res, i));
        }
        jclose(']');
        jclose('}');
        putchar('\n');
        return;
    }
    for (size_t i = 0; i < milvus_result_string_count(res); i++)
        printf("%s\n", tx(milvus_result_string_at(res, i)));
}

/* ---- command table --------------------------------------------------------------- */

static const command commands[] = {
    {NULL, "version", 0, 0, "", "", "Print the server and client versions.", cmd_version},
    {NULL, "health", 0, 0, "", "", "Check the server's health (exit 1 when unhealthy).",
     cmd_health},
    {"collection", "list", 0, 0, "", "", "List the collections of the database.",
     cmd_collection_list},
    {"collection", "describe", 1, 1, "", "NAME", "Show a collection's schema.",
     cmd_collection_describe},
    {"snapshot", "create", 2, 2,
     " --description= --protect= ", "COLLECTION NAME [--description TEXT] [--protect SECONDS]",
     "Create a snapshot; --protect keeps its segments from compaction for SECONDS.",
     cmd_snapshot_create},
    {"snapshot", "drop", 2, 2, "", "COLLECTION NAME", "Drop a snapshot.", cmd_snapshot_drop},
    {"snapshot", "list", 0, 1, "", "[COLLECTION]",
     "List snapshots (of every collection "
     "without COLLECTION).",
     cmd_snapshot_list},
    {"snapshot", "describe", 2, 2, "", "COLLECTION NAME", "Show a snapshot.",
     cmd_snapshot_describe},
    {"snapshot", "restore", 3, 3, " --target-db= --rewrite-data --wait ",
     "COLLECTION NAME TARGET_COLLECTION [--target-db DB] [--rewrite-data] [--wait]",
     "Restore a snapshot into a new collection; print the job id, or with --wait follow the "
     "job to its end.",
     cmd_snapshot_restore},
    {"snapshot", "jobs", 0, 1, "", "[COLLECTION]", "List restore jobs.", cmd_snapshot_jobs},
    {"snapshot", "job", 1, 1, " --wait ", "JOB_ID [--wait]",
     "Show a restore job; --wait follows it to its end.", cmd_snapshot_job},
    {"snapshot", "export", 3, 3, " --spec= --wait ",
     "COLLECTION NAME TARGET_PATH [--spec JSON] [--wait]",
     "Export a snapshot to object storage; print the job id, or with --wait follow the job.",
     cmd_snapshot_export},
    {"snapshot", "export-job", 1, 1, " --wait ", "JOB_ID [--wait]",
     "Show an export job (files, bytes, metadata URI); --wait follows it to its end.",
     cmd_snapshot_export_job},
    {"snapshot", "restore-external", 2, 2, " --spec= --wait ",
     "TARGET_COLLECTION METADATA_URI [--spec JSON] [--wait]",
     "Restore an exported snapshot (its metadata URI) into a new collection.",
     cmd_snapshot_restore_external},
    {"snapshot", "pin", 2, 2, " --ttl= ", "COLLECTION NAME [--ttl SECONDS]",
     "Pin a snapshot's data against garbage collection; print the pin id.", cmd_snapshot_pin},
    {"snapshot", "unpin", 1, 1, "", "PIN_ID", "Release a pin.", cmd_snapshot_unpin},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(const char *group)
{
    fputs(global_usage, stdout);
    printf("\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const command *c = &commands[i];
        if (group && (!c->group || strcmp(c->group, group) != 0))
            continue;
        printf("  %s%s%-16s %s\n", c->group ? c->group : "", c->group ? " " : "", c->name,
               c->synopsis);
    }
    if (!group)
        fputs(global_help, stdout);
}

static void print_command_help(const command *c)
{
    print_command_usage(stdout, c);
    printf("\n%s\n", c->help);
    fputs(global_help, stdout);
}

/* ---- argument parsing ------------------------------------------------------------------------ */

static int parse_seconds(const char *s, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Is opt (e.g. "--wait") one of the command's options; *takes_value set. */
static int command_has(const command *c, const char *opt, int *takes_value)
{
    char key[64];
    snprintf(key, sizeof(key), " %s ", opt);
    if (strstr(c->opts, key)) {
        *takes_value = 0;
        return 1;
    }
    snprintf(key, sizeof(key), " %s= ", opt);
    if (strstr(c->opts, key)) {
        *takes_value = 1;
        return 1;
    }
    return 0;
}

static const char *const command_options[] = {
    "--description", "--protect", "--target-db", "--rewrite-data", "--wait", "--spec", "--ttl"};

static int set_command_option(args *a, const char *opt, const char *val)
{
    if (!strcmp(opt, "--description"))
        a->description = val;
    else if (!strcmp(opt, "--target-db"))
        a->target_db = val;
    else if (!strcmp(opt, "--spec"))
        a->spec = val;
    else if (!strcmp(opt, "--rewrite-data"))
        a->rewrite = 1;
    else if (!strcmp(opt, "--wait"))
        a->wait = 1;
    else if (!strcmp(opt, "--protect") || !strcmp(opt, "--ttl")) {
        if (parse_seconds(val, !strcmp(opt, "--ttl") ? &a->ttl : &a->protect) != 0) {
            usage_error(a, "%s needs a number of seconds, not '%s'", opt, val);
            return -1;
        }
    }
    return 0;
}

static const command *find_command(const char *group, const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const command *c = &commands[i];
        if (!c->group && !group && !strcmp(c->name, name))
            return c;
        if (c->group && group && !strcmp(c->group, group) && !strcmp(c->name, name))
            return c;
    }
    return NULL;
}

/* Parses argv.  Returns -1 to go on, or an exit status (help, usage). */
static int parse(int argc, char **argv, args *a)
{
    const char *words[MAX_POS + 2];
    const char *opt_seen[16], *opt_val[16];
    int nwords = 0, nopts = 0, help = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        int takes = 0;
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++) {
                if (nwords >= MAX_POS + 2) {
                    usage_error(a, "too many arguments");
                    return EXIT_USAGE;
                }
                words[nwords++] = argv[i];
            }
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            if (nwords >= MAX_POS + 2) {
                usage_error(a, "too many arguments");
                return EXIT_USAGE;
            }
            words[nwords++] = arg;
            continue;
        }
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            help = 1;
            continue;
        }
        if (!strcmp(arg, "--version")) {
            /* the version it was built as, and that of the library it runs
             * with (they differ after a library upgrade) */
            if (a->json)
                printf("{\"milvusctl\":\"%s\",\"libmilvus\":\"%s\"}\n", MILVUS_VERSION_STRING,
                       milvus_version());
            else
                printf("milvusctl %s\nlibmilvus %s\n", MILVUS_VERSION_STRING, milvus_version());
            return 0;
        }
        if (!strcmp(arg, "--json")) {
            a->json = 1;
            continue;
        }
        int global = !strcmp(arg, "--uri") || !strcmp(arg, "--token") || !strcmp(arg, "--user") ||
                     !strcmp(arg, "--password") || !strcmp(arg, "--db") ||
                     !strcmp(arg, "--timeout");
        int cmdopt = 0;
        for (size_t k = 0; k < sizeof(command_options) / sizeof(*command_options); k++)
            if (!strcmp(arg, command_options[k])) {
                cmdopt = 1;
                takes = strcmp(arg, "--rewrite-data") && strcmp(arg, "--wait");
            }
        if (!global && !cmdopt) {
            usage_error(a, "unknown option '%s'", arg);
            return EXIT_USAGE;
        }
        if (global || takes) {
            if (i + 1 >= argc) {
                usage_error(a, "option '%s' needs a value", arg);
                return EXIT_USAGE;
            }
            val = argv[++i];
        }
        if (global) {
            if (!strcmp(arg, "--uri"))
                a->uri = val;
            else if (!strcmp(arg, "--token"))
                a->token = val;
            else if (!strcmp(arg, "--user"))
                a->user = val;
            else if (!strcmp(arg, "--password"))
                a->password = val;
            else if (!strcmp(arg, "--db"))
                a->db = val;
            else {
                char *end;
                a->timeout_s = strtod(val, &end);
                if (end == val || *end || !(a->timeout_s > 0) || a->timeout_s > 86400) {
                    usage_error(a, "--timeout needs a positive number of seconds, not '%s'", val);
                    return EXIT_USAGE;
                }
            }
        } else {
            if (nopts >= 16) {
                usage_error(a, "too many options");
                return EXIT_USAGE;
            }
            opt_seen[nopts] = arg;
            opt_val[nopts++] = val;
        }
    }

    /* the command words */
    if (nwords == 0) {
        if (help) {
            print_help(NULL);
            return EXIT_SUCCESS;
        }
        usage_error(a, "no command given");
        return EXIT_USAGE;
    }
    int grouped = !strcmp(words[0], "collection") || !strcmp(words[0], "snapshot");
    if (grouped && nwords == 1) {
        if (help) {
            print_help(words[0]);
            return EXIT_SUCCESS;
        }
        usage_error(a, "'%s' needs a subcommand", words[0]);
        return EXIT_USAGE;
    }
    a->cmd = grouped ? find_command(words[0], words[1]) : find_command(NULL, words[0]);
    if (!a->cmd) {
        if (grouped)
            usage_error(a, "unknown %s command '%s'", words[0], words[1]);
        else
            usage_error(a, "unknown command '%s'", words[0]);
        return EXIT_USAGE;
    }
    if (help) {
        print_command_help(a->cmd);
        return EXIT_SUCCESS;
    }
    a->npos = nwords - (grouped ? 2 : 1);
    for (int i = 0; i < a->npos; i++)
        a->pos[i] = words[i + (grouped ? 2 : 1)];
    if (a->npos < a->cmd->min_pos || a->npos > a->cmd->max_pos) {
        usage_error(a, "%s arguments", a->npos < a->cmd->min_pos ? "missing" : "too many");
        return EXIT_USAGE;
    }
    for (int i = 0; i < nopts; i++) {
        int takes;
        if (!command_has(a->cmd, opt_seen[i], &takes)) {
            usage_error(a, "option '%s' does not apply to this command", opt_seen[i]);
            return EXIT_USAGE;
        }
        if (set_command_option(a, opt_seen[i], opt_val[i]) != 0)
            return EXIT_USAGE;
    }
    if (a->token && (a->user || a->password)) {
        usage_error(a, "--token and --user/--password exclude each other");
        return EXIT_USAGE;
    }
    if (!a->user != !a->password) {
        usage_error(a, "--user and --password go together");
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    args a;
    milvus_options *o;
    int rc;
    memset(&a, 0, sizeof(a));
    a.timeout_s = 10;
    if ((rc = parse(argc, argv, &a)) >= 0)
        return rc;
    if (!a.uri)
        a.uri = getenv("MILVUS_URI");
    if (!a.uri || !*a.uri)
        a.uri = "localhost:19530";
    if (!a.token && !a.user)
        a.token = getenv("MILVUS_TOKEN");
    a.address = a.uri;

    if (!(o = milvus_options_new())) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_FAIL;
    }
    int64_t ms = (int64_t)(a.timeout_s * 1000);
    if (ms < 1)
        ms = 1; /* --timeout 0.0001: the shortest bound there is */
    a.timeout_ms = ms;
    if (milvus_options_set_uri(o, a.uri) != MILVUS_OK) {
        milvus_options_free(o);
        usage_error(&a, "invalid --uri '%s'", a.uri);
        return EXIT_USAGE;
    }
    if ((a.token && *a.token && milvus_options_set_token(o, a.token) != MILVUS_OK) ||
        (a.user && milvus_options_set_user_password(o, a.user, a.password) != MILVUS_OK) ||
        (a.db && milvus_options_set_database(o, a.db) != MILVUS_OK)) {
        milvus_options_free(o);
        usage_error(&a, "invalid credentials or database name");
        return EXIT_USAGE;
    }
    milvus_options_set_connect_timeout_ms(o, ms);
    milvus_options_set_call_timeout_ms(o, ms);
    rc = milvus_sync_new(&a.s, o);
    if (rc != MILVUS_OK) {
        const char *why = milvus_options_last_error(o);
        fprintf(stderr, "%s: %s: %s\n", prog, a.address, *why ? tx(why) : milvus_strerror(rc));
        milvus_options_free(o);
        return EXIT_FAIL;
    }
    milvus_options_free(o);
    /* one bound for each whole request, connecting and retries included */
    milvus_sync_set_timeout_ms(a.s, ms);
    rc = a.cmd->run(&a);
    fflush(stdout);
    milvus_sync_free(a.s);
    return rc;
}
