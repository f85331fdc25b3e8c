#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scenario.py -- one fixed scenario of raw Milvus gRPC requests.

  scenario.py --uri HOST:PORT [--token T] --out FILE

Sends the same sequence of MilvusService requests (built with the upstream
generated messages shipped by pymilvus: pymilvus.grpc_gen.*_pb2) on a raw
grpcio channel, with `authorization: base64(T)` metadata when a token is
given, and writes what the server answered as normalised JSON: a list with
one object per step,

  {"step": NAME, "method": RPC, "grpc_code": "OK" | "UNAUTHENTICATED" ...,
   "grpc_details": text (gRPC errors only), "response": {...}}

where "response" is the decoded message (google.protobuf.json_format,
proto field names, fields at their default value included) after the
normalisations of NORMALISATIONS below.  compare.py compares two such files
(the test server's and a real Milvus's).  A step that needs a token (the
wrong-credentials steps) is written with "skipped" when none is given.

Every collection and alias name carries a random run tag so that runs on a
shared server never collide; the tag is replaced by <run> in the output.
"""
import argparse
import base64
import json
import re
import struct
import sys
import time
import uuid

import grpc
from google.protobuf import json_format
from pymilvus.grpc_gen import common_pb2, milvus_pb2, milvus_pb2_grpc, schema_pb2

DT = schema_pb2.DataType
STRONG = common_pb2.ConsistencyLevel.Value("Strong")
DIM = 4
RPC_TIMEOUT = 30

# ---- normalisations ---------------------------------------------------------------
# One table of every rewrite applied to a decoded response, with the reason.
# "key" rules apply to a field of that name anywhere in a response (its
# value, or every element of a list or map value); "text" rules to strings
# ("every string", or the fields named); "step" rules to the responses of
# the methods named.  Numbered placeholders ("<coll#1>") are numbered per
# kind in order of first appearance over the whole run, so that two steps
# naming the same collection still agree after normalisation.
NORMALISATIONS = [
    # (rule, applies to, replacement, reason)
    ("text", "every string", "<run>",
     "the random run tag in collection and alias names (runs on a shared server must not collide)"),
    ("key", "identifier", "<identifier>",
     "Connect's per-connection identifier is random"),
    ("key", "build_tags build_time git_commit go_version version", "<build>",
     "server version and build strings differ between servers by design (version: GetVersion only)"),
    ("key", "created_timestamp created_timestamps created_utc_timestamp created_utc_timestamps "
     "update_timestamp update_timestamp_str request_time session_ts timestamp coll_flush_ts "
     "coll_seal_times flush_ts server_timestamp",
     "<ts>", "hybrid and physical timestamps depend on the clock"),
    ("key", "collectionID collection_ids", "<coll#n>",
     "collection ids are allocated by the server (numbered in order of first appearance)"),
    ("key", "partitionIDs partitionID", "<part#n>", "partition ids are allocated by the server"),
    ("key", "indexID", "<index#n>", "index ids are allocated by the server"),
    ("key", "coll_segIDs flush_coll_segIDs segmentIDs", "<seg#n>",
     "segment ids are allocated by the server"),
    ("key", "db_id dbID", "<db#n>", "database ids are allocated by the server"),
    ("key", "virtual_channel_names physical_channel_names", "<channel#n>",
     "channel names embed the cluster prefix and the collection id"),
    ("key", "fieldID field_id", "<field#k>",
     "field ids: only their relative order is kept (k = rank among the collection's field ids); "
     "values below 100 (system fields) are kept"),
    ("text", "reason detail grpc_details", "<num>",
     "integers of 12 digits or more in error texts are ids or timestamps"),
    ("key", "scores distances", "rounded to 4 decimals",
     "float32 distance arithmetic differs in the last bits between implementations"),
    ("key", "json_data", "decoded UTF-8 text",
     "JSON values are bytes on the wire (base64 in protobuf JSON): shown as text to be readable"),
    ("step", "ShowCollections", "only the run's collections",
     "a shared server holds other collections; the parallel lists keep the run's entries"),
    ("step", "Query Search", "output_fields and fields_data sorted by field name",
     "the proxy builds both from Go maps (translateOutputFields): their order is random per call"),
    ("key", "the numbered (#n) keys above", "\"0\" kept as it is",
     "0 is an unset id (a missing collection's collectionID, 2.3's db_id), not a value to number"),
]

_KEY_RULES = {}
for _rule, _keys, _repl, _why in NORMALISATIONS:
    if _rule == "key":
        for _k in _keys.split():
            _KEY_RULES[_k] = _repl


class Normaliser:
    def __init__(self, tag):
        self.tag = tag
        self.numbers = {}  # (kind, value) -> placeholder
        self.counts = {}
        self.field_ids = []  # sorted user field ids of the collections seen

    def number(self, kind, value):
        key = (kind, str(value))
        if key not in self.numbers:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.numbers[key] = "<%s#%d>" % (kind, self.counts[kind])
        return self.numbers[key]

    def learn_fields(self, ids):
        for i in ids:
            i = int(i)
            if i >= 100 and i not in self.field_ids:
                self.field_ids.append(i)
        self.field_ids.sort()

    def field(self, v):
        try:
            n = int(v)
        except (TypeError, ValueError):
            return v
        if n < 100:
            return v
        if n not in self.field_ids:
            return "<field#?>"
        return "<field#%d>" % self.field_ids.index(n)

    def text(self, s, errors=False):
        s = s.replace(self.tag, "<run>")
        if errors:
            s = re.sub(r"\d{12,}", "<num>", s)
        return s

    def value(self, key, v):
        repl = _KEY_RULES[key]
        if isinstance(v, list):
            return [self.value(key, x) for x in v]
        if isinstance(v, dict):
            return {self.text(k): self.value(key, x) for k, x in v.items()}
        if repl in ("<identifier>", "<build>", "<ts>"):
            return repl
        if repl.endswith("#n>"):
            if str(v) == "0":
                return v
            return self.number(repl[1:repl.index("#")], v)
        if repl == "<field#k>":
            return self.field(v)
        if repl.startswith("rounded"):
            return round(float(v), 4) if isinstance(v, (int, float)) else v
        if repl.startswith("decoded"):
            try:
                return base64.b64decode(v).decode("utf-8")
            except Exception:  # noqa: BLE001 - keep what cannot be decoded
                return v
        return v

    def walk(self, obj, method=""):
        if isinstance(obj, dict):
            out = {}
            for k, v in obj.items():
                if k in _KEY_RULES and (k != "version" or method == "GetVersion"):
                    out[k] = self.value(k, v)
                elif k in ("reason", "detail") and isinstance(v, str):
                    out[k] = self.text(v, errors=True)
                else:
                    out[k] = self.walk(v, method)
            return out
        if isinstance(obj, list):
            return [self.walk(x, method) for x in obj]
        if isinstance(obj, str):
            return self.text(obj)
        return obj


def sort_fields(res):
    if isinstance(res.get("output_fields"), list):
        res["output_fields"] = sorted(res["output_fields"])
    if isinstance(res.get("fields_data"), list):
        res["fields_data"] = sorted(res["fields_data"], key=lambda f: f.get("field_name", ""))


# ---- request builders -------------------------------------------------------------------
def kv(pairs):
    return [common_pb2.KeyValuePair(key=k, value=v) for k, v in pairs]


def field(name, dtype, **kw):
    params = kw.pop("params", [])
    return schema_pb2.FieldSchema(name=name, data_type=dtype, type_params=kv(params), **kw)


def main_schema(name):
    return schema_pb2.CollectionSchema(
        name=name,
        description="scenario collection",
        fields=[
            field("id", DT.Int64, is_primary_key=True, description="primary key"),
            field("title", DT.VarChar, params=[("max_length", "64")]),
            field("vec", DT.FloatVector, params=[("dim", str(DIM))]),
            field("meta", DT.JSON),
            field("tags", DT.Array, element_type=DT.Int64, params=[("max_capacity", "8")]),
        ],
    )


def small_schema(name):
    return schema_pb2.CollectionSchema(
        name=name,
        fields=[
            field("pk", DT.Int64, is_primary_key=True),
            field("v", DT.FloatVector, params=[("dim", "2")]),
        ],
    )


ROWS = [
    (1, "alpha", [0.1, 0.2, 0.3, 0.4], {"n": 1, "kind": "a"}, [1, 2]),
    (2, "beta", [0.5, 0.6, 0.7, 0.8], {"n": 2, "kind": "b"}, [3]),
    (3, "gamma", [0.9, 1.0, 1.1, 1.2], {"n": 3, "kind": "a"}, []),
]


def columns(rows, skip=(), dim=DIM):
    ids = [r[0] for r in rows]
    out = []
    if "id" not in skip:
        out.append(schema_pb2.FieldData(type=DT.Int64, field_name="id",
                                        scalars=schema_pb2.ScalarField(long_data=schema_pb2.LongArray(data=ids))))
    if "title" not in skip:
        out.append(schema_pb2.FieldData(
            type=DT.VarChar, field_name="title",
            scalars=schema_pb2.ScalarField(string_data=schema_pb2.StringArray(data=[r[1] for r in rows]))))
    if "vec" not in skip:
        flat = [x for r in rows for x in r[2][:dim]] + [0.5] * max(0, dim - DIM) * len(rows)
        out.append(schema_pb2.FieldData(
            type=DT.FloatVector, field_name="vec",
            vectors=schema_pb2.VectorField(dim=dim, float_vector=schema_pb2.FloatArray(data=flat))))
    if "meta" not in skip:
        out.append(schema_pb2.FieldData(
            type=DT.JSON, field_name="meta",
            scalars=schema_pb2.ScalarField(json_data=schema_pb2.JSONArray(
                data=[json.dumps(r[3], separators=(",", ":")).encode() for r in rows]))))
    if "tags" not in skip:
        arrays = [schema_pb2.ScalarField(long_data=schema_pb2.LongArray(data=r[4])) for r in rows]
        out.append(schema_pb2.FieldData(
            type=DT.Array, field_name="tags",
            scalars=schema_pb2.ScalarField(array_data=schema_pb2.ArrayArray(data=arrays, element_type=DT.Int64))))
    return out


def placeholder(vectors):
    group = common_pb2.PlaceholderGroup(placeholders=[common_pb2.PlaceholderValue(
        tag="$0", type=common_pb2.PlaceholderType.Value("FloatVector"),
        values=[struct.pack("<%df" % len(v), *v) for v in vectors])])
    return group.SerializeToString()


def search_request(coll, vectors, output_fields, topk=2):
    return milvus_pb2.SearchRequest(
        collection_name=coll,
        dsl="",
        dsl_type=common_pb2.DslType.Value("BoolExprV1"),
        placeholder_group=placeholder(vectors),
        output_fields=output_fields,
        search_params=kv([("anns_field", "vec"), ("topk", str(topk)), ("metric_type", "L2"),
                          ("params", json.dumps({"ef": 16})), ("round_decimal", "-1")]),
        nq=len(vectors),
        consistency_level=STRONG,
        use_default_consistency=False,
    )


def index_request(coll, field_name, index_type, metric, params, index_name=""):
    extra = [("index_type", index_type), ("metric_type", metric), ("params", json.dumps(params))]
    return milvus_pb2.CreateIndexRequest(collection_name=coll, field_name=field_name,
                                         index_name=index_name, extra_params=kv(extra))


# ---- the runner ----------------------------------------------------------------------------
class Runner:
    def __init__(self, target, token, tag):
        self.channel = grpc.insecure_channel(target)
        self.stub = milvus_pb2_grpc.MilvusServiceStub(self.channel)
        self.token = token
        self.norm = Normaliser(tag)
        self.steps = []

    def metadata(self, token):
        if token is None:
            return ()
        return (("authorization", base64.b64encode(token.encode()).decode()),)

    def raw(self, method, request, token=None):
        """Calls method; returns (grpc code name, response or None, details)."""
        fn = getattr(self.stub, method)
        tok = self.token if token is None else token
        try:
            resp = fn(request, timeout=RPC_TIMEOUT, metadata=self.metadata(tok or None))
            return "OK", resp, ""
        except grpc.RpcError as err:
            return err.code().name, None, err.details() or ""

    def step(self, name, method, request, token=None, skip=None):
        entry = {"step": name, "method": method}
        if skip:
            entry["skipped"] = skip
            self.steps.append(entry)
            return None
        code, resp, details = self.raw(method, request, token)
        entry["grpc_code"] = code
        if resp is None:
            entry["grpc_details"] = self.norm.text(details, errors=True)
        else:
            d = json_format.MessageToDict(resp, preserving_proto_field_name=True,
                                          always_print_fields_with_no_presence=True)
            self.learn(d)
            if method == "ShowCollections":
                d = self.only_ours(d)
            if method in ("Query", "Search"):
                sort_fields(d.get("results", d))
            entry["response"] = self.norm.walk(d, method)
        self.steps.append(entry)
        return resp

    def learn(self, d):
        fields = (d.get("schema") or {}).get("fields")
        if fields:
            self.norm.learn_fields([f.get("fieldID", 0) for f in fields])

    def only_ours(self, d):
        names = d.get("collection_names", [])
        keep = [i for i, n in enumerate(names) if self.norm.tag in n]
        for k, v in list(d.items()):
            if isinstance(v, list) and len(v) == len(names):
                d[k] = [v[i] for i in keep]
        return d

    def wait(self, what, fn, timeout=60):
        t0 = time.time()
        while time.time() - t0 < timeout:
            if fn():
                return True
            time.sleep(0.1)
        sys.stderr.write("scenario: timed out waiting for %s\n" % what)
        return False


def run(runner, tag):
    s = runner.step
    M = milvus_pb2
    coll = "scn_%s" % tag
    other = "scn_%s_b" % tag
    renamed = "scn_%s_renamed" % tag
    alias = "scn_%s_alias" % tag
    missing = "scn_%s_missing" % tag

    # ---- connection
    s("connect", "Connect", M.ConnectRequest(client_info=common_pb2.ClientInfo(
        sdk_type="Python", sdk_version="scenario", local_time="2000-01-01 00:00:00", user="scenario")))
    s("get_version", "GetVersion", M.GetVersionRequest())
    s("check_health", "CheckHealth", M.CheckHealthRequest())

    # ---- collection
    schema = main_schema(coll)
    props = kv([("collection.ttl.seconds", "86400")])
    s("create_collection", "CreateCollection", M.CreateCollectionRequest(
        collection_name=coll, schema=schema.SerializeToString(), properties=props))
    s("describe_collection", "DescribeCollection", M.DescribeCollectionRequest(collection_name=coll))
    s("has_collection", "HasCollection", M.HasCollectionRequest(collection_name=coll))
    s("has_collection_missing", "HasCollection", M.HasCollectionRequest(collection_name=missing))
    s("show_collections", "ShowCollections", M.ShowCollectionsRequest())

    # ---- partitions
    s("create_partition", "CreatePartition", M.CreatePartitionRequest(collection_name=coll, partition_name="p1"))
    s("show_partitions", "ShowPartitions", M.ShowPartitionsRequest(collection_name=coll))

    # ---- indexes
    s("create_index_hnsw", "CreateIndex",
      index_request(coll, "vec", "HNSW", "L2", {"M": 8, "efConstruction": 64}, index_name="vec_idx"))
    s("create_index_unknown_type", "CreateIndex",
      index_request(coll, "vec", "HNWS", "L2", {"M": 8, "efConstruction": 64}, index_name="vec_idx2"))
    s("create_index_wrong_metric", "CreateIndex",
      index_request(coll, "vec", "HNSW", "HAMMING", {"M": 8, "efConstruction": 64}, index_name="vec_idx3"))
    s("create_index_missing_field", "CreateIndex",
      index_request(coll, "nope", "HNSW", "L2", {"M": 8, "efConstruction": 64}, index_name="nope_idx"))

    def index_done():
        code, resp, _ = runner.raw("DescribeIndex", M.DescribeIndexRequest(collection_name=coll))
        return code == "OK" and resp.index_descriptions and all(
            d.state == common_pb2.IndexState.Value("Finished") for d in resp.index_descriptions)
    runner.wait("the index", index_done)
    s("describe_index", "DescribeIndex", M.DescribeIndexRequest(collection_name=coll))

    # ---- load
    s("load_collection", "LoadCollection", M.LoadCollectionRequest(collection_name=coll))

    def loaded():
        code, resp, _ = runner.raw("GetLoadState", M.GetLoadStateRequest(collection_name=coll))
        return code == "OK" and resp.state == common_pb2.LoadState.Value("LoadStateLoaded")
    runner.wait("the load", loaded)
    s("get_load_state", "GetLoadState", M.GetLoadStateRequest(collection_name=coll))
    s("get_loading_progress", "GetLoadingProgress", M.GetLoadingProgressRequest(collection_name=coll))

    # ---- data
    s("insert", "Insert", M.InsertRequest(collection_name=coll, fields_data=columns(ROWS), num_rows=len(ROWS)))
    s("flush", "Flush", M.FlushRequest(collection_names=[coll]))
    out = ["title", "vec", "meta", "tags"]
    s("query", "Query", M.QueryRequest(collection_name=coll, expr="id >= 0", output_fields=out,
                                       consistency_level=STRONG, use_default_consistency=False))
    s("search", "Search", search_request(coll, [[0.1, 0.2, 0.3, 0.4]], ["title", "meta", "tags"]))
    s("search_two_queries", "Search",
      search_request(coll, [[0.9, 1.0, 1.1, 1.2], [0.6, 0.7, 0.8, 0.9]], ["title"]))
    s("search_pk_output", "Search", search_request(coll, [[0.1, 0.2, 0.3, 0.4]], ["id", "title"]))
    s("delete", "Delete", M.DeleteRequest(collection_name=coll, expr="id in [2]"))
    s("upsert", "Upsert", M.UpsertRequest(
        collection_name=coll, num_rows=1,
        fields_data=columns([(3, "gamma-2", [0.9, 1.0, 1.1, 1.3], {"n": 33, "kind": "c"}, [7, 8])])))
    s("query_after_changes", "Query", M.QueryRequest(
        collection_name=coll, expr="id >= 0", output_fields=["title", "meta", "tags"],
        consistency_level=STRONG, use_default_consistency=False))

    # ---- errors
    s("describe_missing_collection", "DescribeCollection", M.DescribeCollectionRequest(collection_name=missing))
    s("create_existing_same_schema", "CreateCollection", M.CreateCollectionRequest(
        collection_name=coll, schema=schema.SerializeToString(), properties=props))
    s("create_existing_other_schema", "CreateCollection", M.CreateCollectionRequest(
        collection_name=coll, schema=small_schema(coll).SerializeToString()))
    s("insert_missing_field", "Insert", M.InsertRequest(
        collection_name=coll, fields_data=columns(ROWS[:1], skip=("title",)), num_rows=1))
    s("insert_wrong_dim", "Insert", M.InsertRequest(
        collection_name=coll, fields_data=columns(ROWS[:1], dim=3), num_rows=1))
    s("query_bad_filter", "Query", M.QueryRequest(
        collection_name=coll, expr="id >>> 1", output_fields=["title"],
        consistency_level=STRONG, use_default_consistency=False))
    s("search_wrong_dim", "Search", search_request(coll, [[0.1, 0.2, 0.3]], ["title"]))
    s("drop_missing_partition", "DropPartition", M.DropPartitionRequest(collection_name=coll, partition_name="nope"))

    # ---- aliases
    s("create_alias", "CreateAlias", M.CreateAliasRequest(collection_name=coll, alias=alias))
    s("describe_alias", "DescribeAlias", M.DescribeAliasRequest(alias=alias))
    s("create_alias_missing_collection", "CreateAlias",
      M.CreateAliasRequest(collection_name=missing, alias=alias + "2"))
    s("drop_alias", "DropAlias", M.DropAliasRequest(alias=alias))
    s("drop_alias_missing", "DropAlias", M.DropAliasRequest(alias=alias + "_none"))
    s("describe_alias_missing", "DescribeAlias", M.DescribeAliasRequest(alias=alias + "_none"))

    # ---- rename
    s("create_second_collection", "CreateCollection", M.CreateCollectionRequest(
        collection_name=other, schema=small_schema(other).SerializeToString()))
    s("create_second_again", "CreateCollection", M.CreateCollectionRequest(
        collection_name=other, schema=small_schema(other).SerializeToString()))
    s("rename_to_existing", "RenameCollection", M.RenameCollectionRequest(oldName=coll, newName=other))
    s("rename_missing", "RenameCollection", M.RenameCollectionRequest(oldName=missing, newName=missing + "2"))
    s("rename_invalid_name", "RenameCollection", M.RenameCollectionRequest(oldName=coll, newName="1bad-name"))
    s("rename", "RenameCollection", M.RenameCollectionRequest(oldName=coll, newName=renamed))
    s("describe_old_name", "DescribeCollection", M.DescribeCollectionRequest(collection_name=coll))
    s("describe_renamed", "DescribeCollection", M.DescribeCollectionRequest(collection_name=renamed))

    # ---- drop
    s("drop_collection", "DropCollection", M.DropCollectionRequest(collection_name=renamed))
    s("drop_second_collection", "DropCollection", M.DropCollectionRequest(collection_name=other))
    s("drop_missing_collection", "DropCollection", M.DropCollectionRequest(collection_name=missing))
    s("has_dropped_collection", "HasCollection", M.HasCollectionRequest(collection_name=renamed))

    # ---- credentials (servers with authentication only)
    skip = None if runner.token else "no token given: the server has no authentication"
    s("auth_wrong_password", "ShowCollections", M.ShowCollectionsRequest(), token="root:wrong-password", skip=skip)
    s("auth_unknown_user", "ShowCollections", M.ShowCollectionsRequest(), token="nobody:Milvus", skip=skip)
    return [coll, other, renamed]


def cleanup(runner, names):
    for n in names:
        runner.raw("DropCollection", milvus_pb2.DropCollectionRequest(collection_name=n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--uri", required=True, help="HOST:PORT (an http:// prefix is accepted)")
    ap.add_argument("--token", default="", help="user:password or API key (sent as base64)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    target = re.sub(r"^(grpc|http|tcp)s?://", "", args.uri).rstrip("/")
    tag = "r" + uuid.uuid4().hex[:8]
    runner = Runner(target, args.token, tag)
    t0 = time.time()
    names = ["scn_%s" % tag, "scn_%s_b" % tag, "scn_%s_renamed" % tag]
    try:
        grpc.channel_ready_future(runner.channel).result(timeout=30)
        run(runner, tag)
    finally:
        cleanup(runner, names)
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(runner.steps, f, indent=1, sort_keys=True)
            f.write("\n")
        runner.channel.close()
    sys.stderr.write("scenario: %d steps against %s in %.1f s\n" % (len(runner.steps), target, time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
