#!/usr/bin/env python3
"""zkschema.py: validate znodes against samsa's zkschema/ (JSON Schema).

Used three ways:

  zkschema.py check [--dump FILE]        make check: every schema in
      zkschema/ is a valid draft-07 schema, its "examples" validate and its
      "x-invalid-examples" do not, every schema is listed in index.json and
      documented (<name>.md); then every line of FILE (JSON lines
      {"path": ..., "data": text or null}, from t/unit/zk/zkp_dump) is
      validated against the schema index.json picks for its path.  TAP
      output.

  zkschema.py walk --zk HOST:PORT [--chroot /x]
      walk a live ZooKeeper tree (kazoo) and validate every znode; print
      one line per problem, exit 1 if any.  For integration tests.

  import zkschema; s = zkschema.ZkSchemas(); s.validate(path, data)
      -> list of problems (empty when valid).

Needs Debian's python3-jsonschema (and python3-kazoo for walk).
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "..", "..", "zkschema")


class ZkSchemas:
    def __init__(self, schema_dir=DEFAULT_DIR):
        import jsonschema
        self.jsonschema = jsonschema
        self.dir = schema_dir
        with open(os.path.join(schema_dir, "index.json")) as f:
            self.index = json.load(f)["znodes"]
        for entry in self.index:
            entry["re"] = re.compile(entry["path"])
        self.schemas = {}
        for entry in self.index:
            name = entry.get("schema")
            if name and name not in self.schemas:
                with open(os.path.join(schema_dir, name)) as f:
                    self.schemas[name] = json.load(f)

    def validator(self, name):
        return self.jsonschema.Draft7Validator(self.schemas[name])

    def lookup(self, path):
        for entry in self.index:
            if entry["re"].match(path):
                return entry
        return None

    def validate(self, path, data):
        """Problems with znode `path` holding `data` (bytes, str or None)."""
        entry = self.lookup(path)
        if entry is None:
            return ["%s: no zkschema/index.json entry for this path" % path]
        enc = entry["encoding"]
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                return ["%s: data is not UTF-8" % path]
        empty = data is None or data == ""
        if enc == "ignore":
            return []
        if enc == "empty":
            return [] if empty else \
                ["%s: should have no data, has %r" % (path, data[:80])]
        if empty:
            return [] if entry.get("may_be_empty") else \
                ["%s: has no data, expected %s" % (path, entry["schema"])]
        if enc == "text":
            value = data
        else:
            try:
                value = json.loads(data)
            except ValueError as e:
                return ["%s: not JSON (%s): %r" % (path, e, data[:80])]
        errors = sorted(self.validator(entry["schema"]).iter_errors(value),
                        key=lambda e: list(e.path))
        return ["%s: %s at %s: %s" % (path, entry["schema"],
                                      "/".join(map(str, e.path)) or "(root)",
                                      e.message) for e in errors]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=()):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        for line in diag:
            print("# " + line)

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def check_schemas(zs, tap):
    files = sorted(f for f in os.listdir(zs.dir)
                   if f.endswith(".json") and f != "index.json")
    indexed = set(e.get("schema") for e in zs.index if e.get("schema"))
    for f in files:
        with open(os.path.join(zs.dir, f)) as fh:
            schema = json.load(fh)
        try:
            zs.jsonschema.Draft7Validator.check_schema(schema)
            ok, diag = True, []
        except zs.jsonschema.SchemaError as e:
            ok, diag = False, [str(e).splitlines()[0]]
        tap.ok(ok, "%s is a valid draft-07 schema" % f, diag)
        tap.ok(f in indexed, "%s is listed in index.json" % f)
        md = os.path.join(zs.dir, f[:-5] + ".md")
        tap.ok(os.path.exists(md), "%s is documented in %s" %
               (f, os.path.basename(md)))
        v = zs.jsonschema.Draft7Validator(schema)
        examples = schema.get("examples", [])
        tap.ok(len(examples) > 0, "%s has examples" % f)
        for i, ex in enumerate(examples):
            errs = [e.message for e in v.iter_errors(ex)]
            tap.ok(not errs, "%s example %d validates" % (f, i), errs)
        for i, ex in enumerate(schema.get("x-invalid-examples", [])):
            tap.ok(not v.is_valid(ex),
                   "%s invalid example %d is rejected" % (f, i))
    for entry in zs.index:
        doc = entry.get("doc")
        tap.ok(doc and os.path.exists(os.path.join(zs.dir, doc)),
               "index entry %s has its doc %s" % (entry["path"], doc))


def check_dump(zs, tap, dump):
    seen = set()
    with open(dump) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            problems = zs.validate(rec["path"], rec.get("data"))
            entry = zs.lookup(rec["path"])
            if entry is not None:
                seen.add(entry.get("schema"))
            tap.ok(not problems, "encoder output %d (%s) validates" %
                   (lineno, rec["path"]), problems)
    for name in sorted(zs.schemas):
        tap.ok(name in seen, "zkp_dump covers %s" % name)


def walk(zs, hosts, chroot):
    from kazoo.client import KazooClient
    zk = KazooClient(hosts=hosts + (chroot or ""), timeout=10)
    zk.start(timeout=15)
    problems, count = [], 0
    try:
        stack = ["/"]
        while stack:
            path = stack.pop()
            try:
                data, _ = zk.get(path)
                kids = zk.get_children(path)
            except Exception:   # deleted while walking
                continue
            if path != "/":
                count += 1
                problems += zs.validate(path, data)
            for k in kids:
                stack.append((path.rstrip("/") + "/" + k))
    finally:
        zk.stop()
        zk.close()
    for p in problems:
        print(p)
    print("# %d znodes checked, %d problems" % (count, len(problems)))
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["check", "walk"])
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--dump")
    ap.add_argument("--zk")
    ap.add_argument("--chroot", default="")
    args = ap.parse_args()
    try:
        zs = ZkSchemas(args.dir)
    except ImportError as e:
        print("Bail out! %s (apt-get install python3-jsonschema)" % e)
        return 1
    if args.mode == "walk":
        if not args.zk:
            ap.error("walk needs --zk HOST:PORT")
        return walk(zs, args.zk, args.chroot)
    tap = Tap()
    check_schemas(zs, tap)
    if args.dump:
        check_dump(zs, tap, args.dump)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
