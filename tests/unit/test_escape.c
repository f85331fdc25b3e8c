/* SPDX-License-Identifier: Apache-2.0 */
/* Server text made safe for terminals and logs: milvus_escape_text(), and
 * the log callback fed a server's grpc-message full of control bytes. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <milvus/channel.h>
#include <milvus/client.h>
#include <milvus/common.h>

#include "../transport/h2_test_server.h"

static char out[256];

static const char *esc(const char *s, size_t len)
{
    size_t n = milvus_escape_text(out, sizeof(out), s, len);
    cr_assert_eq(n, strlen(out), "returned %zu for \"%s\"", n, out);
    return out;
}

Test(escape, printable_text_and_utf8_unchanged)
{
    const char *s = "collection 'docs' \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f back\\slash";
    cr_assert_str_eq(esc(s, strlen(s)), s);
}

Test(escape, newlines_fold_to_one_space)
{
    static const char s[] = "a\nb\r\nc\rd\te";
    cr_assert_str_eq(esc(s, sizeof(s) - 1), "a b c d e");
}

Test(escape, c0_nul_and_del_become_hex)
{
    static const char s[] = "x\033[2J\007\000y\177";
    cr_assert_str_eq(esc(s, sizeof(s) - 1), "x\\x1b[2J\\x07\\x00y\\x7f");
}

Test(escape, c1_controls_become_u_escapes)
{
    /* U+009B is CSI on terminals that honour 8-bit controls */
    static const char s[] = "a\xc2\x9b"
                            "31mb\xc2\x80\xc2\x9f\xc2\xa0";
    cr_assert_str_eq(esc(s, sizeof(s) - 1), "a\\u009b31mb\\u0080\\u009f\xc2\xa0");
}

Test(escape, bytes_that_are_not_utf8_become_hex)
{
    /* a lone continuation byte, an overlong NUL, a surrogate, a cut
     * sequence, a byte that never starts one */
    static const char s[] = "\x80|\xc0\x80|\xed\xa0\x80|\xe2\x82|\xff";
    cr_assert_str_eq(esc(s, sizeof(s) - 1), "\\x80|\\xc0\\x80|\\xed\\xa0\\x80|\\xe2\\x82|\\xff");
}

Test(escape, a_short_buffer_cuts_between_pieces_and_reports_the_length)
{
    char small[8];
    static const char s[] = "ab\033cd\xe2\x82\xac";
    size_t need = milvus_escape_text(small, sizeof(small), s, sizeof(s) - 1);
    cr_assert_eq(need, strlen("ab\\x1bcd\xe2\x82\xac"));
    cr_assert_str_eq(small, "ab\\x1bc"); /* 7 bytes: the escape whole */
    cr_assert_eq(milvus_escape_text(small, 4, s, sizeof(s) - 1), need);
    cr_assert_str_eq(small, "ab", "an escape is never cut");
    cr_assert_eq(milvus_escape_text(NULL, 0, s, sizeof(s) - 1), need);
    cr_assert_eq(milvus_escape_text(small, sizeof(small), NULL, 5), 0);
    cr_assert_str_eq(small, "");
    {
        char seven[7]; /* "ab" "\x1b" "cd" = 7: the euro sign does not fit */
        static const char t[] = "ab\033cd\xe2\x82\xac";
        milvus_escape_text(seven, sizeof(seven), t, sizeof(t) - 1);
        cr_assert_str_eq(seven, "ab\\x1b");
    }
}

/* ---- the log callback ---- */

static struct event_base *base;
static h2ts *srv;
static char logbuf[8192];
static int nlines;

static void on_log(milvus_log_level lvl, const char *msg, void *ctx)
{
    (void)lvl;
    (void)ctx;
    /* every line must be one line of printable text */
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        cr_assert(*p >= 0x20 && *p != 0x7f, "raw byte 0x%02x in log line: %s", *p, msg);
        if (p[0] == 0xc2)
            cr_assert(p[1] < 0x80 || p[1] > 0x9f, "raw C1 control in log line: %s", msg);
    }
    nlines++;
    strncat(logbuf, msg, sizeof(logbuf) - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
}

static void h_evil(h2ts_req *r, void *ctx)
{
    (void)ctx;
    h2ts_send_headers(r, NULL);
    h2ts_finish(r, 14,
                "down\033[2J\nFAKE: injected line\xc2\x9b"
                "1m",
                NULL);
}

static int done;
static char final_msg[512];
static void on_reply(milvus_channel *c, int status, const milvus_reply *rep, void *ctx)
{
    (void)c;
    (void)status;
    (void)ctx;
    snprintf(final_msg, sizeof(final_msg), "%s", milvus_reply_message(rep));
    done = 1;
}

Test(escape, log_lines_with_server_text_are_escaped)
{
    milvus_options *o = milvus_options_new();
    milvus_channel *ch;
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    srv = h2ts_new(base, NULL, h_evil, NULL);
    cr_assert_not_null(srv);
    cr_assert_eq(milvus_options_set_address(o, "127.0.0.1", h2ts_port(srv)), MILVUS_OK);
    cr_assert_eq(milvus_options_set_log(o, MILVUS_LOG_DEBUG, on_log, NULL), MILVUS_OK);
    cr_assert_eq(milvus_options_set_retry(o, 2, 10, 20, 2.0), MILVUS_OK);
    cr_assert_eq(milvus_channel_new(&ch, base, o), MILVUS_OK);
    {
        milvus_call_options *co = milvus_call_options_new();
        milvus_call_options_set_idempotent(co, 1);
        cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Unary", "x", 1, co, on_reply, NULL),
                     MILVUS_OK);
        milvus_call_options_free(co);
    }
    while (!done)
        event_base_loop(base, EVLOOP_ONCE);
    cr_assert(nlines > 0);
    cr_assert(strstr(logbuf, "down\\x1b[2J FAKE: injected line\\u009b1m"),
              "the server's message, escaped, in the log:\n%s", logbuf);
    milvus_channel_free(ch);
    milvus_options_free(o);
    h2ts_free(srv);
    event_base_loop(base, EVLOOP_NONBLOCK);
    event_base_free(base);
}

/* ---- a result's message ---- */

static int rdone;
static char rmsg[512], rgrpc[512];
static void on_version(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)c;
    (void)ctx;
    snprintf(rmsg, sizeof(rmsg), "%s", milvus_result_message(res));
    snprintf(rgrpc, sizeof(rgrpc), "%s", milvus_result_grpc_message(res));
    rdone = 1;
}

Test(escape, a_result_message_is_escaped_and_the_raw_text_kept)
{
    milvus_options *o = milvus_options_new();
    milvus_client *c;
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    srv = h2ts_new(base, NULL, h_evil, NULL);
    cr_assert_not_null(srv);
    cr_assert_eq(milvus_options_set_address(o, "127.0.0.1", h2ts_port(srv)), MILVUS_OK);
    cr_assert_eq(milvus_options_set_retry(o, 1, 10, 20, 2.0), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&c, base, o), MILVUS_OK);
    cr_assert_eq(milvus_client_get_server_version(c, on_version, NULL), MILVUS_OK);
    while (!rdone)
        event_base_loop(base, EVLOOP_ONCE);
    cr_assert(strstr(rmsg, "down\\x1b[2J FAKE: injected line\\u009b1m"), "%s", rmsg);
    cr_assert_null(strchr(rmsg, '\n'), "%s", rmsg);
    cr_assert_str_eq(rgrpc,
                     "down\033[2J\nFAKE: injected line\xc2\x9b"
                     "1m",
                     "the raw grpc-message is kept");
    milvus_client_free(c);
    milvus_options_free(o);
    h2ts_free(srv);
    event_base_loop(base, EVLOOP_NONBLOCK);
    event_base_free(base);
}
