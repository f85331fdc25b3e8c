#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""roundtrip.py -- the pymilvus side of tests/roundtrip (see roundtrip.c).

  roundtrip.py [--uri URI] [--token T] --kind K write GROUP COLLECTION
  roundtrip.py [--uri URI] [--token T] --kind K dump GROUP COLLECTION
  roundtrip.py --kind K expect GROUP
  roundtrip.py [--uri URI] [--token T] drop COLLECTION
  roundtrip.py --kind K groups

The same groups and the same deterministic dataset as roundtrip.c, written
with pymilvus's MilvusClient, and the same canonical output: `roundtrip
expect G` and `roundtrip.py expect G` print identical lines.
"""
import argparse
import datetime
import json
import os
import struct
import sys

NROWS = 5
K_STANDALONE, K_LITE, K_TEST = 1, 2, 4
K_ALL = 7
KINDS = {"standalone": K_STANDALONE, "lite": K_LITE, "test-server": K_TEST}

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def f32(x):
    """The float32 nearest to x, as a Python float (exactly representable)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def F32(xs):
    return [None if x is None else f32(x) for x in xs]


# ---- the dataset (the same tables as roundtrip.c) ---------------------------
# A field: dict(name, type, [elem], [dim], [max_len], [max_cap], [pk],
# [nullable], [default], [omit], values) -- values has NROWS entries, None
# for a NULL row (a row that gets the default where the field has one).
# Types are the names of the canonical "#types" line.


def fld(name, type_, values, **kw):
    d = dict(name=name, type=type_, values=values)
    d.update(kw)
    return d


def masked(values, mask):
    return [v if m else None for v, m in zip(values, mask)]


MASK_A = [1, 0, 1, 0, 1]
MASK_B = [0, 1, 0, 1, 0]
MASK_C = [1, 1, 0, 1, 1]
MASK_NONE = [0, 0, 0, 0, 0]

# -- group "scalars" --
SC_ARR_SHAPE = [0, 2, 1, 3, 1]  # elements per row (offsets 0,0,2,3,6,7)


def rows_of(elements):
    out, k = [], 0
    for n in SC_ARR_SHAPE:
        out.append(elements[k:k + n])
        k += n
    return out


SCALARS = [
    fld("id", "Int64", [-5, 0, 1, 42, 9007199254740993], pk=True),
    fld("b", "Bool", [True, False, True, False, True]),
    fld("i8", "Int8", [-128, 127, 0, -1, 1]),
    fld("i16", "Int16", [-32768, 32767, 0, -1, 256]),
    fld("i32", "Int32", [INT32_MIN, INT32_MAX, 0, -1, 65536]),
    fld("i64", "Int64", [INT64_MIN, INT64_MAX, 0, -1, 9007199254740993]),
    fld("f", "Float", F32([-0.0, 1e-45, 3.40282347e38, -1.17549435e-38, 0.1])),
    fld("d", "Double", [-0.0, 4.9406564584124654e-324, 1.7976931348623157e308,
                        -2.2250738585072014e-308, 0.1]),
    fld("s", "VarChar", ["", "héllo wörld ✓ 日本語 🎉",
                         "quote\" backslash\\ tab\t nl\n cr\r", "\x01\x1f\x7f", "plain"],
        max_len=256),
    fld("j", "JSON", [
        "{}",
        '{"a":1,"big":9007199254740991,"b":[true,false,null],"c":{"d":{"e":"ü"}}}',
        '{"arr":[1,2.5,-3e+300,"x",[],{}]}', '{"s":["just a string","\\u00fc\\n"]}',
        '{"":"empty key","f":-1.5e-07,"g":-0.5,"h":1.5e+300}']),
    fld("a_b", "Array", rows_of([True, True, False, False, True, False, False]),
        elem="Bool", max_cap=8),
    fld("a_i8", "Array", rows_of([-128, 127, 0, 1, 2, 3, -1]), elem="Int8", max_cap=8),
    fld("a_i16", "Array", rows_of([-32768, 32767, 0, 1, 2, 3, -1]), elem="Int16", max_cap=8),
    fld("a_i32", "Array", rows_of([INT32_MIN, INT32_MAX, 0, 1, 2, 3, -1]), elem="Int32",
        max_cap=8),
    fld("a_i64", "Array", rows_of([INT64_MIN, INT64_MAX, 0, 1, 2, 9007199254740993, -1]),
        elem="Int64", max_cap=8),
    fld("a_f", "Array", rows_of(F32([-0.0, 1e-45, 3.40282347e38, 0.1, -2.5, 1e10, 1.0])),
        elem="Float", max_cap=8),
    fld("a_d", "Array", rows_of([-0.0, 4.9406564584124654e-324, 1.7976931348623157e308, 0.1,
                                 -2.5, 1e300, 1.0]), elem="Double", max_cap=8),
    fld("a_s", "Array", rows_of(["", "ü", "日本", 'a"b\\c', "x", "y", "z"]), elem="VarChar",
        max_cap=8, max_len=64),
    fld("fv", "FloatVector", [F32(v) for v in [
        [-0.0, 1e-45, 3e38, -1.0],
        [0.1, 0.2, 0.3, 0.4],
        [1.0, 0.0, 0.0, 0.0],
        [-1.17549435e-38, 1.17549435e-38, 0.0, 0.0],
        [1e-10, 1e10, -1e10, 0.5]]], dim=4),
]
SC_DYN = ["{}", '{"dyn_i":1}', '{"dyn_s":"ü","dyn_a":[1,"x",null]}',
          '{"dyn_o":{"k":[1,2]},"dyn_big":-9007199254740991}', '{"dyn_f":0.25,"dyn_b":true}']

STR_PK = ["a", "b", 'z"q', "ü", "日本"]

BINARY = [
    fld("pk", "VarChar", STR_PK, pk=True, max_len=64),
    fld("bv", "BinaryVector", [bytes.fromhex(h) for h in
                               ["00000000", "ffffffff", "01020304", "80402010", "deadbeef"]],
        dim=32),
]

SPARSE = [
    fld("pk", "VarChar", STR_PK, pk=True, max_len=64),
    fld("sv", "SparseFloatVector", [
        {0: f32(1.5)}, {4294967294: f32(0.1)},
        {1: f32(1e-45), 2: f32(3e38), 1000: f32(2.5)},
        {7: f32(0.25), 8: f32(0.5)}, {3: 1.0, 5: 2.0, 9: 3.0}]),
]

SMALL_ID = [1, 2, 3, 4, 5]


def words(ws):
    """16-bit words as little-endian raw bytes, 4 per row."""
    return [struct.pack("<4H", *ws[i:i + 4]) for i in range(0, len(ws), 4)]


FLOAT16 = [
    fld("id", "Int64", SMALL_ID, pk=True),
    fld("hv", "Float16Vector", words([0x8000, 0x0001, 0x7bff, 0x3c00, 0xfbff, 0x0400, 0x3555,
                                      0xc000, 0x0000, 0x0000, 0x0000, 0x3c00, 0x03ff, 0x8001,
                                      0x4248, 0x5640, 0x1234, 0x5678, 0x0bcd, 0x7800]), dim=4),
]
BFLOAT16 = [
    fld("id", "Int64", SMALL_ID, pk=True),
    fld("bfv", "BFloat16Vector", words([0x8000, 0x0001, 0x7f7f, 0x3f80, 0xff7f, 0x0080, 0x3eaa,
                                        0xc000, 0x0000, 0x0000, 0x0000, 0x3f80, 0x007f, 0x8001,
                                        0x4049, 0x42f6, 0x1234, 0x5678, 0x0bcd, 0x4780]), dim=4),
]
INT8 = [
    fld("id", "Int64", SMALL_ID, pk=True),
    fld("i8v", "Int8Vector", [[-128, 127, 0, 1], [-1, -2, -3, -4], [0, 0, 0, 1], [5, 6, 7, 8],
                              [100, -100, 50, -50]], dim=4),
]

FV2 = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0]]

NULLABLE = [
    fld("id", "Int64", SMALL_ID, pk=True),
    fld("n_b", "Bool", masked([True, False, False, False, True], MASK_A), nullable=True),
    fld("n_i8", "Int8", masked([0, -128, 0, 127, 0], MASK_B), nullable=True),
    fld("n_i16", "Int16", masked([-32768, 32767, 0, 0, 1], MASK_C), nullable=True),
    fld("n_i32", "Int32", masked([INT32_MIN, 0, INT32_MAX, 0, 0], MASK_A), nullable=True),
    fld("n_i64", "Int64", masked([0, INT64_MIN, 0, INT64_MAX, 0], MASK_B), nullable=True),
    fld("n_f", "Float", masked(F32([-0.0, 1e-45, 0.0, 3.40282347e38, 0.1]), MASK_C),
        nullable=True),
    fld("n_d", "Double", masked([-0.0, 0.0, 1.7976931348623157e308, 0.0, 0.1], MASK_A),
        nullable=True),
    fld("n_s", "VarChar", masked(["", "", "", "ü", ""], MASK_B), nullable=True, max_len=64),
    fld("n_j", "JSON", masked(["{}", '{"a":[1,null]}', "", '{"l":[1,2]}', '{"s":null}'], MASK_C),
        nullable=True),
    fld("n_ai32", "Array", masked([[1, 2], [], [], [], [INT32_MIN]], MASK_A), elem="Int32",
        max_cap=4, nullable=True),
    fld("n_as", "Array", masked([[], ["x"], [], [], []], MASK_B), elem="VarChar", max_cap=4,
        max_len=16, nullable=True),
    fld("n_all", "Int64", masked([0, 0, 0, 0, 0], MASK_NONE), nullable=True),
    fld("n_none", "Double", [1.0, 2.0, 3.0, 4.0, 5.0], nullable=True),
    fld("d_b", "Bool", masked([False] * 5, MASK_B), default=True),
    fld("d_i8", "Int8", masked([1, 0, -1, 0, 127], MASK_A), default=-8),
    fld("d_i16", "Int16", masked([0, -1, 0, 32767, 0], MASK_B), default=1616),
    fld("d_i32", "Int32", masked([5, 0, INT32_MAX, 0, -5], MASK_A), default=INT32_MIN),
    fld("d_i64", "Int64", masked([0, INT64_MIN, 0, 0, 0], MASK_B), default=INT64_MAX),
    fld("d_f", "Float", masked(F32([-0.0, 0.0, 1e-45, 0.0, 2.5]), MASK_A), default=f32(1.5)),
    fld("d_d", "Double", masked([0.0, -0.0, 0.0, 4.9406564584124654e-324, 0.0], MASK_B),
        default=0.1),
    fld("d_s", "VarChar", masked(["", "", "given", "", "ü"], MASK_A), default="dflt ü",
        max_len=64),
    fld("nd_i32", "Int32", masked([0, 70, 0, -70, 0], MASK_B), nullable=True, default=7),
    fld("nd_s", "VarChar", masked(["", "", "x", "", "y"], MASK_A), nullable=True, default="nd",
        max_len=64),
    fld("d_omit", "VarChar", [None] * 5, default="omitted", omit=True, max_len=64),
    fld("fv", "FloatVector", FV2, dim=2),
]

# microseconds since the epoch, UTC
TS = [0, 1, -1000000, 1700000000123456, 253402300799999999]

GEOMETRY = [
    fld("id", "Int64", SMALL_ID, pk=True),
    fld("geo", "Geometry", ["POINT (1 2)", "POINT (-3.5 4.25)", "POLYGON ((0 0, 1 0, 1 1, 0 0))",
                            "POINT (0 0)", "POINT (123456.789 -0.000001)"]),
    fld("n_geo", "Geometry", masked(["POINT (5 6)", "", "POLYGON ((1 1, 2 1, 2 2, 1 1))", "",
                                     "POINT (-1 -1)"], MASK_A), nullable=True),
    fld("fv", "FloatVector", FV2, dim=2),
]
TIMESTAMPTZ = [
    fld("id", "Int64", SMALL_ID, pk=True),
    fld("ts", "Timestamptz", TS),
    fld("n_ts", "Timestamptz", masked([0, -62135596800000000, 0, 86400000000, 0], MASK_B),
        nullable=True),
    fld("fv", "FloatVector", FV2, dim=2),
]

# name, kinds, fields, dynamic ($meta JSON text per row or None), filter
GROUPS = [
    ("scalars", K_ALL, SCALARS, SC_DYN, "id > -100"),
    ("binary", K_STANDALONE | K_TEST, BINARY, None, 'pk != ""'),
    ("sparse", K_LITE | K_TEST, SPARSE, None, 'pk != ""'),
    ("float16", K_TEST, FLOAT16, None, "id > 0"),
    ("bfloat16", K_TEST, BFLOAT16, None, "id > 0"),
    ("int8", K_TEST, INT8, None, "id > 0"),
    ("nullable", K_LITE | K_TEST, NULLABLE, None, "id > 0"),
    ("geometry", K_LITE | K_TEST, GEOMETRY, None, "id > 0"),
    ("timestamptz", K_LITE | K_TEST, TIMESTAMPTZ, None, "id > 0"),
]


def die(msg):
    sys.stderr.write("roundtrip.py: %s\n" % msg)
    sys.exit(1)


def find_group(name, kind):
    for g in GROUPS:
        if g[0] == name:
            if not g[1] & kind:
                die("group %s is not run on this server kind" % name)
            return g
    die("unknown group %s" % name)


# ---- the canonical encoder -----------------------------------------------------


def enc_str(s):
    return json.dumps(s, ensure_ascii=False)


def enc_f32(x):
    return "%.9g" % f32(x)


def enc_f64(x):
    return "%.17g" % x


def enc_scalar(t, v):
    """One value of scalar type t (a type name of the #types line)."""
    if v is None:
        return "null"
    if t == "Bool":
        if not isinstance(v, bool):
            return '{"unreadable":%s}' % enc_str(repr(v))
        return "true" if v else "false"
    if t in ("Int8", "Int16", "Int32"):
        return "%d" % v
    if t in ("Int64", "Timestamptz"):
        return '"%d"' % v
    if t == "Float":
        return enc_f32(v)
    if t == "Double":
        return enc_f64(v)
    if t in ("VarChar", "String", "Text", "Geometry", "JSON"):
        return enc_str(v)
    return '{"unreadable":%s}' % enc_str("type %s: %r" % (t, v))


def enc_value(f, v):
    """f: dict with type (and elem) of the canonical line."""
    t = f["type"]
    if v is None:
        return "null"
    if t == "Array":
        return "[" + ",".join(enc_scalar(f["elem"], x) for x in v) + "]"
    if t == "FloatVector":
        return "[" + ",".join(enc_f32(x) for x in v) + "]"
    if t in ("BinaryVector", "Float16Vector", "BFloat16Vector", "Int8Vector"):
        return '"' + bytes(v).hex() + '"'
    if t == "SparseFloatVector":
        return "{" + ",".join('"%d":%s' % (k, enc_f32(v[k])) for k in sorted(v)) + "}"
    return enc_scalar(t, v)


def type_label(f):
    if f["type"] == "Array":
        return "Array<%s>" % f["elem"]
    return f["type"]


def print_canonical(fields, rows):
    """fields: list of dicts (name, type, [elem]); rows: list of dicts name -> value
    already in canonical value form (see canon_* below)."""
    out = sys.stdout
    out.write('{"#types":{' + ",".join(
        "%s:%s" % (enc_str(f["name"]), enc_str(type_label(f))) for f in fields) + "}}\n")
    for r in rows:
        parts = []
        for f in fields:
            if f["name"] not in r:
                val = '{"missing":true}'
            else:
                val = enc_value(f, r[f["name"]])
            parts.append("%s:%s" % (enc_str(f["name"]), val))
        out.write("{" + ",".join(parts) + "}\n")


def expected_value(f, r):
    v = f["values"][r]
    if v is None and "default" in f:
        return f["default"]
    if v is not None and f["type"] == "Int8Vector":
        return struct.pack("<%db" % len(v), *v)
    return v


def cmd_expect(g):
    _, _, fields, dyn, _ = g
    cols = list(fields)
    rows = []
    for r in range(NROWS):
        row = {f["name"]: expected_value(f, r) for f in fields}
        if dyn:
            row["$meta"] = dyn[r]
        rows.append(row)
    if dyn:
        cols = cols + [dict(name="$meta", type="JSON")]
    print_canonical(cols, rows)


# ---- pymilvus ---------------------------------------------------------------


def client(args):
    from pymilvus import MilvusClient
    if not args.uri:
        die("no --uri (nor MILVUS_URI)")
    return MilvusClient(uri=args.uri, token=args.token or "", timeout=60)


def dtype(name):
    from pymilvus import DataType
    return {
        "Bool": DataType.BOOL, "Int8": DataType.INT8, "Int16": DataType.INT16,
        "Int32": DataType.INT32, "Int64": DataType.INT64, "Float": DataType.FLOAT,
        "Double": DataType.DOUBLE, "VarChar": DataType.VARCHAR, "JSON": DataType.JSON,
        "Array": DataType.ARRAY, "Geometry": DataType.GEOMETRY,
        "Timestamptz": DataType.TIMESTAMPTZ, "BinaryVector": DataType.BINARY_VECTOR,
        "FloatVector": DataType.FLOAT_VECTOR, "Float16Vector": DataType.FLOAT16_VECTOR,
        "BFloat16Vector": DataType.BFLOAT16_VECTOR,
        "SparseFloatVector": DataType.SPARSE_FLOAT_VECTOR, "Int8Vector": DataType.INT8_VECTOR,
    }[name]


TYPE_NAMES = {}  # DataType value -> canonical name, filled lazily


def type_name_of(dt):
    if not TYPE_NAMES:
        for n in ("Bool", "Int8", "Int16", "Int32", "Int64", "Float", "Double", "VarChar",
                  "JSON", "Array", "Geometry", "Timestamptz", "BinaryVector", "FloatVector",
                  "Float16Vector", "BFloat16Vector", "SparseFloatVector", "Int8Vector"):
            TYPE_NAMES[int(dtype(n))] = n
        TYPE_NAMES[20] = "String"
        TYPE_NAMES[25] = "Text"
    return TYPE_NAMES.get(int(dt), "Unknown")


INDEX = {"BinaryVector": ("BIN_FLAT", "HAMMING"),
         "SparseFloatVector": ("SPARSE_INVERTED_INDEX", "IP")}
VECTOR_TYPES = ("BinaryVector", "FloatVector", "Float16Vector", "BFloat16Vector",
                "SparseFloatVector", "Int8Vector")

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def iso_of_micros(us):
    return (EPOCH + datetime.timedelta(microseconds=us)).isoformat()


def micros_of_iso(s):
    dt = datetime.datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return (dt - EPOCH) // datetime.timedelta(microseconds=1)


def write_value(f, v):
    """A dataset value as pymilvus takes it."""
    import numpy as np
    if v is None:
        return None
    t = f["type"]
    if t == "JSON":
        # pymilvus encodes the parsed value itself (orjson); a str would be
        # taken as JSON text
        obj = json.loads(v)
        return v if isinstance(obj, str) else obj
    if t == "Timestamptz":
        return iso_of_micros(v)
    if t == "Float16Vector":
        return np.frombuffer(v, dtype=np.float16)
    if t == "Int8Vector":
        return np.array(v, dtype=np.int8)
    return v


def cmd_write(args, g):
    _, _, fields, dyn, _ = g
    c = client(args)
    coll = args.collection
    if c.has_collection(coll):
        c.drop_collection(coll)
    schema = c.create_schema(auto_id=False, enable_dynamic_field=bool(dyn))
    for f in fields:
        kw = {}
        if f.get("pk"):
            kw["is_primary"] = True
        if "dim" in f:
            kw["dim"] = f["dim"]
        if "max_len" in f:
            kw["max_length"] = f["max_len"]
        if f["type"] == "Array":
            kw["element_type"] = dtype(f["elem"])
            kw["max_capacity"] = f["max_cap"]
        if f.get("nullable"):
            kw["nullable"] = True
        if "default" in f:
            kw["default_value"] = f["default"]
        schema.add_field(f["name"], dtype(f["type"]), **kw)
    ip = c.prepare_index_params()
    for f in fields:
        if f["type"] in VECTOR_TYPES:
            itype, metric = INDEX.get(f["type"], ("AUTOINDEX", "L2"))
            ip.add_index(f["name"], index_type=itype, metric_type=metric)
    c.create_collection(coll, schema=schema, index_params=ip, consistency_level="Strong")
    rows = []
    for r in range(NROWS):
        row = {}
        for f in fields:
            if f.get("omit"):
                continue
            row[f["name"]] = write_value(f, f["values"][r])
        if dyn:
            row.update(json.loads(dyn[r]))
        rows.append(row)
    res = c.insert(coll, rows)
    if res.get("insert_count") != NROWS:
        die("insert into %s: %r" % (coll, res))
    c.load_collection(coll)
    state = c.get_load_state(coll)
    if "Loaded" not in str(state.get("state")):
        die("collection %s not loaded: %r" % (coll, state))


def read_value(f, v):
    """A value pymilvus returned, in the form enc_value takes."""
    if v is None:
        return None
    t = f["type"]
    if t == "JSON":
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if t == "Timestamptz":
        return micros_of_iso(v) if isinstance(v, str) else v
    if t in ("BinaryVector", "Float16Vector", "BFloat16Vector", "Int8Vector"):
        if isinstance(v, list) and len(v) == 1 and isinstance(v[0], (bytes, bytearray)):
            return bytes(v[0])
        if isinstance(v, (bytes, bytearray)):
            return bytes(v)
        import numpy as np
        a = np.asarray(v)
        if t == "Int8Vector":
            return a.astype(np.int8).tobytes()
        if t == "Float16Vector":
            return a.astype(np.float16).tobytes()
        return a.tobytes()
    if t == "SparseFloatVector":
        return {int(k): float(x) for k, x in dict(v).items()}
    if t == "FloatVector":
        return [float(x) for x in v]
    return v


def cmd_dump(args, g):
    filt = g[4]
    c = client(args)
    coll = args.collection
    desc = c.describe_collection(coll)
    fields = []
    pk = None
    for fd in desc["fields"]:
        f = dict(name=fd["name"], type=type_name_of(fd["type"]))
        if f["type"] == "Array":
            f["elem"] = type_name_of(fd.get("element_type", 0))
        if fd.get("is_primary"):
            pk = fd["name"]
        fields.append(f)
    # the table's field order (as roundtrip.c prints), unknown fields after
    order = [f["name"] for f in g[2]]
    fields.sort(key=lambda f: order.index(f["name"]) if f["name"] in order else len(order))
    known = {f["name"] for f in fields}
    missing = [f for f in g[2] if f["name"] not in known]
    dynamic = desc.get("enable_dynamic_field", False)
    res = c.query(coll, filter=filt, output_fields=["*"], consistency_level="Strong")
    rows = []
    for r in res:
        row = {}
        meta = {}
        for k, v in r.items():
            f = next((x for x in fields if x["name"] == k), None)
            if f is None:
                meta[k] = v
            else:
                row[k] = read_value(f, v)
        if dynamic:
            row["$meta"] = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
        elif meta:
            row["?extra"] = json.dumps(meta, ensure_ascii=False, separators=(",", ":"),
                                       default=repr)
        rows.append(row)
    rows.sort(key=lambda row: row.get(pk))
    cols = fields[:]
    for f in missing:
        cols.insert(order.index(f["name"]), dict(name=f["name"], type="missing"))
    if dynamic:
        cols.append(dict(name="$meta", type="JSON"))
    if any("?extra" in row for row in rows):
        cols.append(dict(name="?extra", type="JSON"))
    print_canonical(cols, rows)


def cmd_drop(args):
    c = client(args)
    if c.has_collection(args.collection):
        c.drop_collection(args.collection)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--uri", default=os.environ.get("MILVUS_URI", ""))
    ap.add_argument("--token", default=os.environ.get("MILVUS_TOKEN", ""))
    ap.add_argument("--kind", default=os.environ.get("MILVUS_SERVER_KIND", ""))
    ap.add_argument("command", choices=["write", "dump", "expect", "drop", "groups"])
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    if a.command == "drop":
        if len(a.args) != 1:
            ap.error("drop COLLECTION")
        a.collection = a.args[0]
        cmd_drop(a)
        return
    if a.kind not in KINDS:
        ap.error("--kind standalone|lite|test-server")
    kind = KINDS[a.kind]
    if a.command == "groups":
        for g in GROUPS:
            if g[1] & kind:
                print(g[0])
        return
    if not a.args:
        ap.error("GROUP missing")
    g = find_group(a.args[0], kind)
    if a.command == "expect":
        cmd_expect(g)
        return
    if len(a.args) != 2:
        ap.error("%s GROUP COLLECTION" % a.command)
    a.collection = a.args[1]
    if a.command == "write":
        cmd_write(a, g)
    else:
        cmd_dump(a, g)


if __name__ == "__main__":
    main()
