#!/usr/bin/env python3
"""Boot a perfmon test kernel in QEMU, capture the console, detect splats, parse results.

  qemu-run.py --mode x86_64|arm64-exact|arm64-smp|arm64-sw [--flavor debug|release]
              [--pfm-mode check|run|bench|shell] [--timeout S] [--echo] [--append "..."]
              [--tag NAME]

Modes: x86_64 (software PMU), arm64-exact (-smp 1 -icount shift=0,sleep=off), arm64-smp
(plain TCG -smp 2), arm64-sw (plain TCG -smp 2 with perfmon.pmu=sw on the kernel command
line: the software PMU on arm64, where the other arm64 modes get the PMUv3 description).

Kernel: build/<arch>-<flavor>/arch/.../{bzImage,Image}; initramfs: build/initramfs/<arch>-<flavor>.cpio.gz
Console log: build/logs/<tag>.log, tag = <mode> (<mode>-<pfm-mode> for other pfm modes, or --tag)
Results:     build/results/<tag>.json (see results.py), with a "boot" item that fails on a
             timeout, a guest that did not reach PFM-INIT-DONE, or any kernel splat.
pfm-mode bench (make bench): the kernel gets norandmaps (repeatable numbers); the lines
pfm-bench prints between PFM-BENCH-BEGIN and PFM-BENCH-END ("bench ..." results and "# ..." raw
numbers) are copied to stdout, and a "bench" item fails when the program did not finish with
rc=0 or printed no result line.
Exit status: 0 when the boot item passed and no test failed.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "harness"))
import results  # noqa: E402

ARM64_SMP = ["qemu-system-aarch64", "-M", "virt", "-cpu", "max", "-smp", "2", "-m", "1G"]
MODES = {
    # mode: (arch, qemu command without kernel/initrd/append, console, extra kernel command line)
    "x86_64": ("x86_64", ["qemu-system-x86_64", "-cpu", "max", "-smp", "2", "-m", "1G"], "ttyS0",
               ""),
    # exact, deterministic counting: one vCPU, instruction count = virtual ns
    "arm64-exact": ("arm64", ["qemu-system-aarch64", "-M", "virt", "-cpu", "max", "-smp", "1",
                              "-icount", "shift=0,sleep=off", "-m", "1G"], "ttyAMA0", ""),
    "arm64-smp": ("arm64", ARM64_SMP, "ttyAMA0", ""),
    # the software PMU on arm64 (the P2 tests; they skip on the PMUv3 boots)
    "arm64-sw": ("arm64", ARM64_SMP, "ttyAMA0", "perfmon.pmu=sw"),
}
IMAGES = {"x86_64": "arch/x86/boot/bzImage", "arm64": "arch/arm64/boot/Image"}

# Kernel console lines that mean the kernel is unhappy. Matched anywhere in a printk line.
SPLATS = [
    "BUG:", "WARNING:", "Oops", "Kernel panic", "Unable to handle kernel",
    "general protection fault", "UBSAN:", "possible circular locking",
    "possible recursive locking", "inconsistent lock state", "suspicious RCU usage",
    "DEBUG_LOCKS_WARN_ON", "INFO: possible", "scheduling while atomic",
    "blocked for more than", "cut here", "Call Trace:", "Call trace:", "kernel BUG at",
    # "BUG: KASAN", "BUG: sleeping function called" are covered by "BUG:"
]
SPLAT_RE = re.compile("|".join(re.escape(s) for s in SPLATS))


BENCH_END = re.compile(r"PFM-BENCH-END rc=(-?\d+)")
BENCH_LINE = re.compile(r"^bench \S+ perfmon=\S+ perf=\S+ ratio=\S+ unit=\S+ regs=\S+$")


def bench_item(lines):
    """pfm.mode=bench: pfm-bench ran to the end (rc=0) and printed at least one result."""
    it = results.item("bench")
    rc = None
    nres = 0
    for l in lines:
        m = BENCH_END.search(l)
        if m:
            rc = int(m.group(1))
        if BENCH_LINE.match(l.rstrip()):
            nres += 1
    if rc is None:
        it["notes"].append("no PFM-BENCH-END line: pfm-bench did not finish")
    elif rc != 0:
        it["notes"].append(f"pfm-bench exited with rc={rc}")
    if not nres:
        it["notes"].append("no 'bench <name> ...' result line")
    it["failed" if it["notes"] else "passed"] = 1
    return it


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", required=True, choices=sorted(MODES))
    ap.add_argument("--flavor", default="debug", choices=["debug", "release"])
    ap.add_argument("--pfm-mode", default="check")
    ap.add_argument("--timeout", type=int, default=None,
                    help="kill the guest after S seconds (default 300 debug, 120 release, "
                    "600 bench)")
    ap.add_argument("--test-timeout", type=int, default=None,
                    help="per-selftest timeout in the guest (default: the selftests' settings file, else 120)")
    ap.add_argument("--append", default="", help="extra kernel command line")
    ap.add_argument("--kernel", default=None,
                    help="boot this image instead of the flavor's (a config experiment)")
    ap.add_argument("--tag", default=None,
                    help="name of the log and result files (default: <mode>, or "
                    "<mode>-<pfm-mode> for pfm modes other than check)")
    ap.add_argument("--echo", nargs="?", const="all", choices=["all", "init"],
                    help="copy the console to stdout (init: only from /init's first line on)")
    args = ap.parse_args()

    arch, qemu, console, mode_append = MODES[args.mode]
    bench = args.pfm_mode == "bench"
    timeout = args.timeout or (600 if bench else 300 if args.flavor == "debug" else 120)
    odir = os.path.join(ROOT, "build", f"{arch}-{args.flavor}")
    kernel = args.kernel or os.path.join(odir, IMAGES[arch])
    initrd = os.path.join(ROOT, "build", "initramfs", f"{arch}-{args.flavor}.cpio.gz")
    tests = os.path.join(ROOT, "build", "initramfs", f"{arch}-{args.flavor}.root",
                         "perfmon", "selftests", "TESTS")
    tag = args.tag or (args.mode if args.pfm_mode == "check" else f"{args.mode}-{args.pfm_mode}")
    log = os.path.join(ROOT, "build", "logs", f"{tag}.log")
    out = os.path.join(ROOT, "build", "results", f"{tag}.json")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    for f in (kernel, initrd):
        if not os.path.exists(f):
            sys.exit(f"ERROR: {f} missing (build it first)")

    # No oops=panic: one oops must not hide the results of later tests. panic=-1 + -no-reboot
    # make a real panic end QEMU at once.
    append = f"console={console} panic=-1 pfm.mode={args.pfm_mode} {mode_append}".strip()
    if args.test_timeout:
        append += f" pfm.timeout={args.test_timeout}"
    if bench:
        # no address space randomization: with it, exact-mode numbers vary by ~0.1% per boot
        append += " norandmaps"
    append = f"{append} {args.append}".strip()
    cmd = qemu + ["-nographic", "-no-reboot", "-nic", "none", "-kernel", kernel, "-initrd", initrd,
                  "-append", append]
    interactive = args.pfm_mode == "shell"
    print(f"==> boot {args.mode} ({args.flavor}, pfm.mode={args.pfm_mode}"
          f"{', ' + args.append if args.append else ''}), log {log}", flush=True)
    if interactive:
        return subprocess.call(cmd)

    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    lines = []
    echo_on = [False]
    in_bench = [False]

    def reader():
        with open(log, "w", errors="replace") as lf:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").replace("\r", "")
                lines.append(line)
                lf.write(line)
                lf.flush()
                if args.echo == "init" and "PFM-INIT" in line:
                    echo_on[0] = True
                if args.echo == "all" or echo_on[0]:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                elif bench:
                    # pfm-bench's own lines, not the kernel's
                    if BENCH_END.search(line):
                        in_bench[0] = False
                    if in_bench[0] and not results.TS.match(line):
                        sys.stdout.write(line)
                        sys.stdout.flush()
                    if "PFM-BENCH-BEGIN" in line:
                        in_bench[0] = True

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    t.join(5)
    elapsed = time.monotonic() - start

    boot = results.item("boot")
    if timed_out:
        msg = f"TIMEOUT: guest did not power off after {timeout} s"
        print(msg)
        boot["notes"].append(msg)
        with open(log, "a") as lf:
            lf.write(f"\n{msg}\n")
    done = any("PFM-INIT-DONE" in l for l in lines)
    if not done and not timed_out:
        boot["notes"].append(f"guest stopped before /init finished (qemu rc={proc.returncode})")
    if proc.returncode not in (0, None) and not timed_out:
        boot["notes"].append(f"qemu exited with rc={proc.returncode}")
    # only kernel messages (printk timestamp) count: test output may legitimately say "WARNING:"
    splats = [l.rstrip() for l in lines if results.TS.match(l) and SPLAT_RE.search(l)]
    if splats:
        boot["notes"].append(f"{len(splats)} splat line(s) on the console:")
        boot["notes"] += ["  " + s for s in splats[:40]]
    boot["failed" if boot["notes"] else "passed"] = 1
    if boot["failed"]:
        print(f"FAIL: {args.mode} boot:")
        for n in boot["notes"]:
            print("   " + n)

    expected = []
    if os.path.exists(tests) and args.pfm_mode == "check":
        with open(tests) as f:
            expected = [l.strip() for l in f if l.strip()]
    items = results.parse_kunit(lines)
    kunit_cfg = False
    try:
        with open(os.path.join(odir, ".config")) as f:
            kunit_cfg = "CONFIG_PERFMON_KUNIT_TEST=y\n" in f.read()
    except OSError:
        pass
    if kunit_cfg and not items and args.pfm_mode == "check":
        it = results.item("kunit/(none)")
        it["failed"] = 1
        it["notes"].append("CONFIG_PERFMON_KUNIT_TEST=y but no KTAP suite on the console")
        items.append(it)
    items += results.parse_selftests(lines, expected)
    if bench:
        items.append(bench_item(lines))
        if items[-1]["failed"]:
            print("FAIL: bench: " + "; ".join(items[-1]["notes"]) + f" (log {log})")
    res = {"mode": args.mode, "pfm_mode": args.pfm_mode, "seconds": round(elapsed, 1),
           "items": [boot] + items}
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    p, fl, s = results.totals(res["items"])
    state = "TIMEOUT" if timed_out else ("powered off" if done else "stopped early")
    print(f"==> boot {args.mode}: {elapsed:.1f}s, {state}; {results.fmt_counts(p, fl, s)} -> {out}",
          flush=True)
    return 1 if fl else 0


if __name__ == "__main__":
    sys.exit(main())
