# SPDX-License-Identifier: Apache-2.0
# The Milvus-protocol test server compared with a real Milvus, request by
# request: tests/scenario/scenario.sh (skips without MILVUS_URI).
EXTRA_DIST += tests/scenario/scenario.sh tests/scenario/scenario.py \
	tests/scenario/compare.py tests/scenario/allow.txt
