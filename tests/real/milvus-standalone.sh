#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The integration suites against embedded Milvus standalone (real-server.sh).
REAL_KIND=standalone
. "$top_srcdir/tests/real/real-server.sh"
