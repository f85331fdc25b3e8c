#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""compare.py -- compares two canonical dumps of tests/roundtrip.

  compare.py [--labels A,B] FILE_A FILE_B

Each file holds a {"#types":{...}} line and one JSON object per row (the
format of roundtrip.c / roundtrip.py).  Rows are matched by their first
field (the primary key).  Values are compared by the field's type from
the #types lines: Float (and float vectors, sparse values, Float array
elements) by float32 bit pattern, Double by float64 bit pattern, JSON
(and $meta) after parsing the text and re-serialising it with sorted
keys, everything else (integers, strings, hex vectors, null) exactly.
Prints every difference by row and field; exits 1 on any, 2 on bad input.
"""
import argparse
import json
import struct
import sys
from decimal import Decimal


def load(path):
    try:
        with open(path, encoding="utf-8") as fh:
            lines = [ln for ln in fh.read().split("\n") if ln.strip()]
    except OSError as e:
        sys.stderr.write("compare.py: %s\n" % e)
        sys.exit(2)
    if not lines:
        return None, [], {}
    parse = lambda s: json.loads(s, parse_float=Decimal, parse_int=Decimal)  # noqa: E731
    try:
        head = parse(lines[0])
        rows = [parse(ln) for ln in lines[1:]]
    except ValueError as e:
        sys.stderr.write("compare.py: %s: not canonical JSON lines: %s\n" % (path, e))
        sys.exit(2)
    types = head.get("#types") if isinstance(head, dict) else None
    if types is None:
        sys.stderr.write("compare.py: %s: no #types line\n" % path)
        sys.exit(2)
    order = list(types)
    keyed = {}
    for r in rows:
        k = json.dumps(next(iter(r.values())) if r else None, default=str, ensure_ascii=False)
        keyed[k] = r
    return types, order, keyed


def bits32(x):
    return struct.pack("<f", float(x)).hex()


def bits64(x):
    return struct.pack("<d", float(x)).hex()


def is_num(x):
    return isinstance(x, Decimal)


def canon_json_text(v):
    if not isinstance(v, str):
        return ("not-text", v)
    try:
        obj = json.loads(v)
    except ValueError:
        return ("bad-json", v)
    return ("json", json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


def canon_scalar(t, v):
    """A comparable form of one value of scalar type t."""
    if v is None or isinstance(v, dict):  # null, or an unreadable/missing marker
        return ("raw", json.dumps(v, sort_keys=True, default=str, ensure_ascii=False))
    if t == "Float" and is_num(v):
        return ("f32", bits32(v))
    if t == "Double" and is_num(v):
        return ("f64", bits64(v))
    if t == "JSON":
        return canon_json_text(v)
    if is_num(v):
        return ("num", str(v))
    return ("raw", json.dumps(v, sort_keys=True, default=str, ensure_ascii=False))


def canon(t, v):
    if t.startswith("Array<") and isinstance(v, list):
        et = t[6:-1]
        return ("array", tuple(canon_scalar(et, x) for x in v))
    if t == "FloatVector" and isinstance(v, list):
        return ("fvec", tuple(bits32(x) if is_num(x) else repr(x) for x in v))
    if t == "SparseFloatVector" and isinstance(v, dict) and all(is_num(x) for x in v.values()):
        return ("sparse", tuple(sorted((int(k), bits32(x)) for k, x in v.items())))
    return canon_scalar(t, v)


def show(v):
    return json.dumps(v, default=str, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels", default="A,B")
    ap.add_argument("a")
    ap.add_argument("b")
    args = ap.parse_args()
    la, lb = (args.labels.split(",", 1) + ["B"])[:2]
    ta, oa, ra = load(args.a)
    tb, ob, rb = load(args.b)
    diffs = 0

    def report(msg):
        nonlocal diffs
        diffs += 1
        print(msg)

    if ta is None or tb is None:
        report("empty dump: %s" % (la if ta is None else lb))
        return 1
    fields = oa + [f for f in ob if f not in ta]
    for f in fields:
        if f not in ta:
            report("field %s: only in %s (%s)" % (f, lb, tb[f]))
        elif f not in tb:
            report("field %s: only in %s (%s)" % (f, la, ta[f]))
        elif ta[f] != tb[f]:
            report("field %s: type %s in %s, %s in %s" % (f, ta[f], la, tb[f], lb))
    for k in list(ra) + [k for k in rb if k not in ra]:
        if k not in rb:
            report("row %s: only in %s" % (k, la))
            continue
        if k not in ra:
            report("row %s: only in %s" % (k, lb))
            continue
        a, b = ra[k], rb[k]
        for f in fields:
            if f not in a or f not in b:
                if f in a or f in b:
                    report("row %s field %s: %s=%s %s=%s" % (
                        k, f, la, show(a.get(f, "<absent>")), lb, show(b.get(f, "<absent>"))))
                continue
            t = ta.get(f) or tb.get(f)
            if canon(t, a[f]) != canon(t, b[f]):
                report("row %s field %s (%s): %s=%s %s=%s" % (
                    k, f, t, la, show(a[f]), lb, show(b[f])))
    if diffs:
        print("%d difference(s) between %s (%s) and %s (%s)" % (diffs, la, args.a, lb, args.b))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
