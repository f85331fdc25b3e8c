# SPDX-License-Identifier: Apache-2.0
# Conformance of proto/*.proto with the upstream Milvus schema (Node SDK's
# protobufjs JSON); needs node + the npm modules, skips otherwise.
TESTS += tests/proto/conformance.js
EXTRA_DIST += tests/proto/conformance.js
