/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — asynchronous, event-driven C client for the Milvus vector
 * database.  Umbrella header: include <milvus/milvus.h> and link with
 * `pkg-config --libs libmilvus`.
 */
#ifndef MILVUS_MILVUS_H
#define MILVUS_MILVUS_H

#include <milvus/common.h>
#include <milvus/version.h>
#include <milvus/options.h>
#include <milvus/channel.h>
#include <milvus/schema.h>
#include <milvus/column.h>
#include <milvus/result.h>
#include <milvus/client.h>
#include <milvus/snapshot.h>

#endif /* MILVUS_MILVUS_H */
