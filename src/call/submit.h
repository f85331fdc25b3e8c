/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the typed API (layer 4) uses of the call layer besides the public
 * <milvus/channel.h>.  Apart from call.h so that the API's own internal
 * types do not meet the call layer's.  Internal to libmilvus.
 */
#ifndef MV_CALL_SUBMIT_H
#define MV_CALL_SUBMIT_H

#include <milvus/channel.h>

#include "common/reqbuf.h"

/* Like milvus_channel_unary, but takes over the caller's reference to an
 * already packed request instead of copying it (also on failure: the
 * reference is always consumed).  The prefix is written here.  Internal:
 * for the typed API, which can pack straight into mv_reqbuf_payload(). */
milvus_status mv_channel_unary_owned(milvus_channel *ch, const char *method_path, mv_reqbuf *rb,
                                     const milvus_call_options *co, milvus_reply_cb cb, void *ctx);

/* The timeout a call options object sets (0: none, or co NULL). */
int64_t mv_call_options_timeout(const milvus_call_options *co);

#endif /* MV_CALL_SUBMIT_H */
