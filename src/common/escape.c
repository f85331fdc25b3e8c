/* SPDX-License-Identifier: Apache-2.0 */
/* Untrusted text made safe for a terminal or a log line. */
#include <string.h>

#include <milvus/common.h>

#include "common/options_internal.h"

/* Length of the well-formed UTF-8 sequence at p (at most n bytes), 0 when
 * the bytes there are not one (overlong forms, surrogates and values above
 * U+10FFFF are not well formed). */
size_t mv_utf8_char_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    size_t len, i;
    unsigned lo = 0x80, hi = 0xbf;
    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        if (b == 0xe0)
            lo = 0xa0;
        else if (b == 0xed)
            hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        if (b == 0xf0)
            lo = 0x90;
        else if (b == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (n < len)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

static const char hexdig[] = "0123456789abcdef";

size_t milvus_escape_text(char *dst, size_t cap, const char *src, size_t len)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t need = 0, out = 0, i = 0;
    int full = 0; /* dst stopped taking pieces */
    if (!src)
        len = 0;
    while (i < len) {
        char piece[8];
        size_t plen, adv;
        size_t u = mv_utf8_char_len(p + i, len - i);
        if (u == 1 && (p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) {
            /* folded: one message stays one line; CR LF is one space */
            adv = (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') ? 2 : 1;
            piece[0] = ' ';
            plen = 1;
        } else if (u == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
            piece[0] = '\\';
            piece[1] = 'x';
            piece[2] = hexdig[p[i] >> 4];
            piece[3] = hexdig[p[i] & 15];
            plen = 4;
            adv = 1;
        } else if (u == 2 && p[i] == 0xc2 && p[i + 1] <= 0x9f) {
            /* a C1 control (U+0080..U+009F): CSI and friends */
            memcpy(piece, "\\u00", 4);
            piece[4] = hexdig[p[i + 1] >> 4];
            piece[5] = hexdig[p[i + 1] & 15];
            plen = 6;
            adv = 2;
        } else if (u == 0) {
            /* not UTF-8: the byte, shown */
            piece[0] = '\\';
            piece[1] = 'x';
            piece[2] = hexdig[p[i] >> 4];
            piece[3] = hexdig[p[i] & 15];
            plen = 4;
            adv = 1;
        } else {
            memcpy(piece, p + i, u);
            plen = u;
            adv = u;
        }
        /* Whole pieces only: never half an escape or half a character. */
        if (!full && dst && out + plen < cap) {
            memcpy(dst + out, piece, plen);
            out += plen;
        } else {
            full = 1;
        }
        need += plen;
        i += adv;
    }
    if (dst && cap > 0)
        dst[out] = '\0';
    return need;
}
