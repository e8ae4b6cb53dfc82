#!/usr/bin/env python3
"""Parse a perfmon guest console log into test results, and summarise result files.

  results.py parse <console.log> --mode M [--tests TESTS] [--kunit-expected] -o out.json
  results.py summary build/results/a.json ... -> per-item lines + final "N passed, M failed"

A result file is {"mode": M, "items": [{"name", "passed", "failed", "skipped", "notes"}]}.
Items:
  kunit/<suite>     leaf "ok/not ok" lines of each top-level "# Subtest: <suite>" KTAP block
                    (parameterised cases count their parameters; the suite's and a
                    parameterised case's own result line are not tests)
  selftest/<name>   top-level TAP lines between "PFMTEST-BEGIN <name>" and "PFMTEST-END <name> rc=N";
                    a missing END, tests missing from the "1..N" plan, or rc != 0 (other than
                    KSFT_SKIP=4) without a failing case each add one failure
  boot              added by qemu-run.py (clean power-off, no splat)
"""
import argparse
import json
import re
import sys

TS = re.compile(r"^\[\s*\d+\.\d+\] ?")                  # printk timestamp
RESULT = re.compile(r"^(\s*)(not ok|ok)\s+(\d+)\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$")
SUBTEST = re.compile(r"^(\s*)# Subtest: (\S+)")
PLAN = re.compile(r"^(\s*)1\.\.(\d+)\s*(?:#\s*(.*))?$")
BEGIN = re.compile(r"PFMTEST-BEGIN (\S+)")
END = re.compile(r"PFMTEST-END (\S+) rc=(-?\d+)")
TIME = re.compile(r"^# PFMTEST-TIME \S+ ([\d.]+)s")           # guest-side duration of one binary
# kselftest harness lines that frame a test case; any other "# " line is the case's diagnostics
FRAME = re.compile(r"^#\s+(RUN|OK|FAIL|SKIP)\s|^# PFMTEST-|^# (PASSED|FAILED|Totals):")
DIAG_KEEP = 8                                             # diagnostics kept per failed case
KSFT_SKIP = 4                                             # kselftest exit code for "skipped"


def clean(line):
    return TS.sub("", line.rstrip("\r\n"))


def directive_kind(directive):
    d = (directive or "").strip().upper()
    if d.startswith("SKIP"):
        return "skip"
    if d.startswith("XFAIL"):
        return "xfail"
    return ""


def item(name):
    return {"name": name, "passed": 0, "failed": 0, "skipped": 0, "notes": []}


def count(it, ok, directive, what):
    kind = directive_kind(directive)
    if kind == "skip":
        it["skipped"] += 1
    elif ok or kind == "xfail":
        it["passed"] += 1
    else:
        it["failed"] += 1
        it["notes"].append("not ok: " + what)


def parse_kunit(lines):
    """KUnit KTAP: suites are top-level '# Subtest:' blocks, leaf results counted per suite."""
    items = []
    stack = []          # open blocks: [indent, name, item-or-None, plan]
    for raw in lines:
        if not TS.match(raw):
            continue    # KUnit prints via printk; untimestamped lines are user space output
        line = clean(raw)
        m = SUBTEST.match(line)
        if m:
            indent = len(m.group(1))
            # A new block at an indent <= an open block's means the old one never closed.
            while stack and stack[-1][0] >= indent:
                b = stack.pop()
                if b[2] is not None:
                    b[2]["failed"] += 1
                    b[2]["notes"].append("suite output ended without a result line (crash?)")
            suite_item = None
            if not stack:
                suite_item = item("kunit/" + m.group(2))
                items.append(suite_item)
            stack.append([indent, m.group(2), suite_item, None])
            continue
        if not stack:
            continue
        m = PLAN.match(line)
        if m and len(m.group(1)) == stack[-1][0] and stack[-1][3] is None:
            stack[-1][3] = int(m.group(2))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        indent, ok, name, directive = len(m.group(1)), m.group(2) == "ok", m.group(4), m.group(5)
        if indent < stack[-1][0]:
            # the block's own result line: closes it, it is not a test itself
            b = stack.pop()
            if b[2] is not None:
                seen = b[2]["passed"] + b[2]["failed"] + b[2]["skipped"]
                if b[3] is not None and seen < b[3]:
                    b[2]["failed"] += b[3] - seen
                    b[2]["notes"].append(f"only {seen} of {b[3]} planned tests reported")
            continue
        if indent == stack[-1][0]:
            suite = next(b[2] for b in stack if b[2] is not None)
            path = "/".join([b[1] for b in stack[1:]] + [name])
            count(suite, ok, directive, path)
    for b in stack:
        if b[2] is not None:
            b[2]["failed"] += 1
            b[2]["notes"].append("console ended inside the suite (crash or hang?)")
    return items


def parse_selftests(lines, expected=None):
    items = {}
    order = []
    cur = None
    plan = None
    diag = []           # "# " lines of the test case in progress
    for raw in lines:
        if TS.match(raw):
            continue    # kernel messages interleaved with a test's output are not TAP
        line = clean(raw)
        if re.match(r"^#\s+RUN\s", line):
            diag = []
        elif line.startswith("#") and not FRAME.match(line):
            diag = (diag + [line[1:].strip()])[-DIAG_KEEP:]
        m = END.search(line)
        if m and cur is not None and m.group(1) == cur["name"][len("selftest/"):]:
            rc = int(m.group(2))
            seen = cur["passed"] + cur["failed"] + cur["skipped"]
            if plan is not None and seen < plan:
                cur["failed"] += plan - seen
                cur["notes"].append(f"only {seen} of {plan} planned tests reported (rc={rc})")
            elif rc == KSFT_SKIP and cur["failed"] == 0:
                if seen == 0:
                    cur["skipped"] += 1
                    cur["notes"].append("exited with KSFT_SKIP (4)")
            elif rc != 0 and cur["failed"] == 0:
                cur["failed"] += 1
                cur["notes"].append(f"exit status {rc} without a failing test case")
            if seen == 0 and plan is None and rc == 0:
                cur["notes"].append("no TAP output")
            cur["rc"] = rc
            cur = None
            continue
        m = TIME.search(line)
        if m and cur is not None:
            cur["seconds"] = float(m.group(1))
            continue
        m = BEGIN.search(line)
        if m:
            if cur is not None:
                cur["failed"] += 1
                cur["notes"].append("no PFMTEST-END marker")
            cur = item("selftest/" + m.group(1))
            items[cur["name"]] = cur
            order.append(cur["name"])
            plan = None
            diag = []
            continue
        if cur is None:
            continue
        m = PLAN.match(line)
        if m and m.group(1) == "":
            plan = int(m.group(2))
            if plan == 0 and directive_kind(m.group(3)) == "skip":
                cur["skipped"] += 1      # "1..0 # SKIP reason": the whole binary skipped
                cur["notes"].append("skipped: " + (m.group(3) or ""))
            continue
        m = RESULT.match(line)
        if m and m.group(1) == "":       # top level only; nested subtests are not counted
            failed = cur["failed"]
            count(cur, m.group(2) == "ok", m.group(5), m.group(4))
            if cur["failed"] > failed:
                # what the case printed says why; CI keeps only the summary
                cur["notes"].extend("  | " + d for d in diag)
            diag = []
    if cur is not None:
        cur["failed"] += 1
        cur["notes"].append("no PFMTEST-END marker (guest died or hung in this test)")
        cur["notes"].extend("  | " + d for d in diag)
    for name in expected or []:
        key = "selftest/" + name
        if key not in items:
            it = item(key)
            it["failed"] = 1
            it["notes"].append("never started")
            items[key] = it
            order.append(key)
    return [items[k] for k in order]


def cmd_parse(args):
    with open(args.log, errors="replace") as f:
        lines = f.readlines()
    expected = []
    if args.tests:
        with open(args.tests) as f:
            expected = [l.strip() for l in f if l.strip()]
    items = parse_kunit(lines)
    if args.kunit_expected and not items:
        it = item("kunit/(none)")
        it["failed"] = 1
        it["notes"].append("kernel has KUnit tests configured but no KTAP suite on the console")
        items.append(it)
    items += parse_selftests(lines, expected)
    res = {"mode": args.mode, "items": items}
    with open(args.output, "w") as f:
        json.dump(res, f, indent=1)
    return 0


def totals(items):
    return (sum(i["passed"] for i in items), sum(i["failed"] for i in items),
            sum(i["skipped"] for i in items))


def fmt_counts(p, f, s):
    out = f"{p} passed, {f} failed"
    return out + (f", {s} skipped" if s else "")


def cmd_summary(args):
    allitems = []
    failures = []
    for path in args.files:
        try:
            with open(path) as f:
                res = json.load(f)
        except (OSError, ValueError) as e:
            res = {"mode": path, "items": [dict(item("results"), failed=1,
                                                notes=[f"unreadable result file: {e}"])]}
        for it in res["items"]:
            label = f"{res['mode']:<11} {it['name']:<26} {fmt_counts(it['passed'], it['failed'], it['skipped'])}"
            if args.verbose and "seconds" in it:
                label += f"  ({it['seconds']:.1f}s)"
            print(label)
            if it["failed"]:
                failures.append((f"{res['mode']} {it['name']}", it["notes"]))
            if it["failed"] or args.verbose:
                for n in it["notes"][:20]:
                    print(f"{'':12}  - {n}")
            allitems.append(it)
    if failures:
        # Repeated at the end: CI logs are often read from the tail only.
        print("failures:")
        for label, notes in failures:
            print(f"  {label}")
            for n in notes[:2 * DIAG_KEEP]:
                print(f"      - {n}")
    p, f, s = totals(allitems)
    print(fmt_counts(p, f, s))
    return 1 if f else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("parse")
    a.add_argument("log")
    a.add_argument("--mode", required=True)
    a.add_argument("--tests", help="file listing the selftests that should have run")
    a.add_argument("--kunit-expected", action="store_true")
    a.add_argument("-o", "--output", required=True)
    b = sub.add_parser("summary")
    b.add_argument("files", nargs="+")
    b.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    return cmd_parse(args) if args.cmd == "parse" else cmd_summary(args)


if __name__ == "__main__":
    sys.exit(main())
