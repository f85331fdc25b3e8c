#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""compare.py -- compares two outputs of scenario.py step by step.

  compare.py [--allow FILE] [--tap] [--labels A,B] A.json B.json

A is the Milvus-protocol test server's output, B a real Milvus's.  For
every step it compares the gRPC status code (and details), the Milvus
status (code, error_code, reason, ...) and every other response field, and
prints each difference as

  STEP: PATH: A=<value> B=<value>

A bare common.Status response is compared as if it were `status`, so
paths read the same for every method ("status.code").  Lists of key/value
pairs (type_params, properties, params) are compared as maps
("type_params[max_length]").  A difference that matches a line of the
allow-list (--allow) is shown as allowed, with its reason; any other makes
the exit status 1.  Allow-list lines:

  STEP-GLOB  PATH-GLOB  KIND  REASON...

(fnmatch globs; KIND is "version" for a difference between Milvus
versions, "intended" for a deliberate choice of the test server; '#'
starts a comment.)  With --tap the output is one TAP line per step.
"""
import argparse
import fnmatch
import json
import sys

MISSING = "<absent>"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def as_kv_map(v):
    """A list of {"key", "value"} dicts as a dict, else None."""
    if isinstance(v, list) and v and all(isinstance(x, dict) and set(x) <= {"key", "value"} and "key" in x
                                        for x in v):
        return {x["key"]: x.get("value", "") for x in v}
    return None


def diff(a, b, path, out):
    if a == b:
        return
    ka, kb = as_kv_map(a), as_kv_map(b)
    if ka is not None or kb is not None:
        if ka is not None and kb is not None or a == [] or b == []:
            ka, kb = ka or {}, kb or {}
            for k in sorted(set(ka) | set(kb)):
                diff(ka.get(k, MISSING), kb.get(k, MISSING), "%s[%s]" % (path, k), out)
            return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            diff(a.get(k, MISSING), b.get(k, MISSING), "%s.%s" % (path, k) if path else k, out)
        return
    if (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
            and any(isinstance(x, (dict, list)) for x in a + b)):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
        return
    out.append((path, a, b))


def view(step):
    """What of a step is compared: grpc code/details, skip, the response."""
    if step is None:
        return {"step": MISSING}
    v = {"grpc_code": step.get("grpc_code", MISSING)}
    if "grpc_details" in step:
        v["grpc_details"] = step["grpc_details"]
    if "skipped" in step:
        v["skipped"] = step["skipped"]
    resp = step.get("response")
    if isinstance(resp, dict) and "status" not in resp and "error_code" in resp:
        resp = {"status": resp}
    if resp is not None:
        v["response"] = resp
    return v


def load_allow(path):
    rules = []
    if not path:
        return rules
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 4 or parts[2] not in ("version", "intended"):
                raise SystemExit("%s:%d: expected STEP PATH KIND REASON, KIND version|intended" % (path, n))
            rules.append({"step": parts[0], "path": parts[1], "kind": parts[2], "reason": parts[3],
                          "line": n, "used": 0})
    return rules


def allowed(rules, step, path):
    for r in rules:
        if fnmatch.fnmatchcase(step, r["step"]) and fnmatch.fnmatchcase(path, r["path"]):
            r["used"] += 1
            return r
    return None


def short(v, limit=300):
    s = json.dumps(v, sort_keys=True) if not isinstance(v, str) else v.replace("\n", "\\n")
    return s if len(s) <= limit else s[:limit] + "..."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--allow", default="")
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--labels", default="test-server,milvus")
    ap.add_argument("--unused", action="store_true", help="list allow-list lines that matched nothing")
    args = ap.parse_args()
    la, lb = (args.labels.split(",") + ["b"])[:2]
    a, b = load(args.a), load(args.b)
    rules = load_allow(args.allow)
    steps_b = {s["step"]: s for s in b}
    names = [s["step"] for s in a] + [s["step"] for s in b if s["step"] not in {x["step"] for x in a}]
    steps_a = {s["step"]: s for s in a}
    failed = 0
    if args.tap:
        print("1..%d" % len(names))
    for n, name in enumerate(names, 1):
        out = []
        diff(view(steps_a.get(name)), view(steps_b.get(name)), "", out)
        bad = []
        lines = []
        for path, x, y in out:
            rule = allowed(rules, name, path)
            text = "%s: %s: %s=%s %s=%s" % (name, path, la, short(x), lb, short(y))
            if rule and args.tap:
                lines.append("%s  (allowed: %s, allow-list line %d)" % (text, rule["kind"], rule["line"]))
            elif rule:
                lines.append("%s  (allowed, %s: %s)" % (text, rule["kind"], rule["reason"]))
            else:
                bad.append(text)
                lines.append(text)
        if bad:
            failed += 1
        if args.tap:
            print("%s %d - %s%s" % ("not ok" if bad else "ok", n, name,
                                     " (%d allowed differences)" % (len(out) - len(bad)) if out and not bad else ""))
            for line in lines:
                print("# " + line.replace("\n", "\\n"))
        else:
            for line in lines:
                print(line)
    if args.unused:
        for r in rules:
            if not r["used"]:
                print("# allow-list line %d matched nothing: %s %s" % (r["line"], r["step"], r["path"]))
    if not args.tap:
        print("%d steps, %d with differences not in the allow-list" % (len(names), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
