#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The integration suites against Milvus Lite (real-server.sh).
REAL_KIND=lite
. "$top_srcdir/tests/real/real-server.sh"
