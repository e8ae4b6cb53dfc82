#!/bin/bash
# Write build/patchset/*.patch: the perfmon work as a git format-patch series against the
# pristine 6.1 tree, one patch per logical part, then verify it with `git am` on a fresh
# worktree at pristine and run checkpatch on every patch (reported, not fatal).
#
# Source of truth is the prepared tree build/linux (pristine + overlay + patches/series, see
# prepare-tree.sh). The changed files are the overlay manifest plus the files the patches touch.
# Commits are built without a checkout (temporary index + commit-tree on a scratch branch).
#
# MAINTAINERS grows with the series: each part adds the F: lines of the perfmon entry that
# cover its own files, so every patch that adds files also updates MAINTAINERS.
#
# Part -> paths (first match wins, order = patch order):
#   1 uapi      include/uapi/linux/perfmon.h
#   2 core      everything not listed below: kernel/perfmon/, include/linux/perfmon*.h,
#               include/linux/syscalls.h, init/Kconfig, kernel/Makefile, kernel/sys_ni.c, ...
#   3 x86       arch/x86/
#   4 generic   include/uapi/asm-generic/, arch/arm/ (asm-generic syscall table)
#   5 arm64     arch/arm64/, drivers/perf/ (the PMUv3 description, perf's side of the
#               PMU resource manager)
#   6 docs      Documentation/
#   7 selftests tools/testing/selftests/
#   8 tools     tools/ (pfmon)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TREE=$ROOT/build/linux
OUT=$ROOT/build/patchset
VERIFY=$ROOT/build/patchset-verify
NAME=$(git -C "$ROOT" config user.name || echo "perfmon developer")
EMAIL=$(git -C "$ROOT" config user.email || echo "perfmon@localhost")
SOB="Signed-off-by: $NAME <$EMAIL>"

part_of() {
	case "$1" in
	include/uapi/linux/perfmon.h) echo 1 ;;
	arch/x86/*) echo 3 ;;
	include/uapi/asm-generic/*|arch/arm/*) echo 4 ;;
	arch/arm64/*|drivers/perf/*) echo 5 ;;
	Documentation/*) echo 6 ;;
	tools/testing/selftests/*) echo 7 ;;
	tools/*) echo 8 ;;
	*) echo 2 ;;
	esac
}

# MAINTAINERS as of part $1: the perfmon entry keeps only the F: lines of parts <= $1.
maintainers_at() {
	local line path
	while IFS= read -r line; do
		case "$line" in
		"F:	"*)
			path=${line#F:	}
			if [ "$in_pfm" = 1 ] && [ "$(part_of "$path")" -gt "$1" ]; then
				continue
			fi
			;;
		"PERFMON PMU MONITORING INTERFACE") in_pfm=1 ;;
		"") in_pfm=0 ;;
		esac
		printf '%s\n' "$line"
	done < "$TREE/MAINTAINERS"
}

msg() {
	case "$1" in
	1) cat <<'EOF'
perfmon: add the perfmon2 user API header

Applications written against the perfmon2 interface (libpfm-3, pfmon)
need the argument structures, flags and message formats of its system
calls. Add them as a standalone uAPI header, include/uapi/linux/perfmon.h,
so that user space and the kernel share one definition.

The header only uses __u* types and compiles on its own as C90.
EOF
	;;
	2) cat <<'EOF'
perfmon/core: add the perfmon2 core

perfmon2 tools (pfmon, PAPI's perfmon2 substrate) program the PMU through
context file descriptors. Add kernel/perfmon: contexts held by anon-inode
fds with read/poll/SIGIO notifications; argument checks that refuse
unknown flags and non-zero reserved fields; the PMU description registry,
validated once at registration, with a software PMU (cpu-clock,
task-clock, context switches, migrations) as the fallback on every
architecture; per-thread monitoring of the caller or of a ptrace-stopped
thread and system-wide monitoring of a CPU reached by IPI; 64-bit
virtualized counters; /sys/kernel/perfmon and debugfs statistics.

Hook the scheduler, fork and exit behind a static key that is on only
while a context is loaded: switch-out stops and saves, switch-in reloads
lazily, fork leaves children unmonitored, exit unloads and notifies.
Overflows of the 64-bit values go to a sampling format chosen by name
(the default format keeps perfmon2's buffer layout; buffers are charged
to RLIMIT_MEMLOCK and mapped read-only) or are notified and mask the
context until pfm_restart(). Event sets let a context measure more
events than the PMU has counters, switched by the kernel on a timeout or
after overflows, with the statistics tools scale counts by. A PMU
resource manager gives the hardware PMU to one class of user at a time
(perf_events, perfmon, later a hypervisor's vCPUs).

Wire it into the build with CONFIG_PERFMON and declare the system calls
with cond_syscall stubs. KUnit suites cover argument checks, the state
table, PMU description validation and registration, the resource
manager, the 64-bit counter arithmetic, sampling formats and event sets.
EOF
	;;
	3) cat <<'EOF'
x86/syscalls: wire up the perfmon2 system calls

Assign syscall numbers 451-462 to the twelve perfmon2 calls in the
x86_64 system call table so that user space on x86 can reach them.
EOF
	;;
	4) cat <<'EOF'
asm-generic: wire up the perfmon2 system calls

Assign the perfmon2 calls numbers 451-462 in the generic unistd.h, which
makes them available on arm64 and every other architecture that uses the
generic system call table, with the same numbers as on x86_64.
EOF
	;;
	5) cat <<'EOF'
arm64: perfmon: add the ARMv8 PMUv3 description

Describe the PMUv3 to perfmon: the cycle counter and the PMCR_EL0.N
event counters, 64-bit with PMUv3p5, events checked against PMCEID, the
EL0/EL1/EL2 filters mapped onto user and kernel levels. perf's arm_pmu
driver keeps the PMU interrupt and takes the PMU from perfmon's resource
manager for each hardware event, so that neither corrupts the other's
counters: the second comer gets -EBUSY.
EOF
	;;
	6) cat <<'EOF'
Documentation: perfmon: document the perfmon2 user API

Describe the perfmon2 system calls, their arguments and error codes,
sampling, event sets, the PMUv3 register model, the pfmon tool and the
/sys/kernel/perfmon files for users, and permissions, limits and the
sharing of the PMU with perf_events for administrators.
EOF
	;;
	7) cat <<'EOF'
selftests/perfmon: add perfmon2 tests

Add kselftests for the perfmon2 interface: context creation, file
descriptor semantics and argument validation of every call, counting,
sampling, event sets, the resource manager, exact counts on the PMUv3
compared with perf_events, and the pfmon tool. They run as part of the
kselftest "perfmon" target.
EOF
	;;
	8) cat <<'EOF'
tools/perfmon: add pfmon

Add pfmon, the user-facing tool of perfmon: counting of a command, a
thread or CPUs, event sets with scaled estimates, sampling into the
default format with a symbolic report, CSV and JSON output, with event
names resolved by libpfm4.
EOF
	;;
	esac
}

[ -f "$ROOT/build/overlay.manifest" ] || { echo "run make tree first" >&2; exit 1; }
exec 9>"$ROOT/build/.build.lock"
flock -n 9 || { echo "==> waiting for build/.build.lock (another build is running)"; flock 9; }

pfiles=$ROOT/build/patches.files; [ -f "$pfiles" ] || pfiles=/dev/null
changed=$(sort -u "$ROOT/build/overlay.manifest" "$pfiles")
g() { git -C "$TREE" "$@"; }
idx=$(mktemp); rm -f "$idx"
export GIT_INDEX_FILE=$idx
export GIT_AUTHOR_NAME=$NAME GIT_AUTHOR_EMAIL=$EMAIL GIT_COMMITTER_NAME=$NAME GIT_COMMITTER_EMAIL=$EMAIL
g read-tree pristine
parent=$(g rev-parse pristine)
for part in 1 2 3 4 5 6 7 8; do
	n=0
	for f in $changed; do
		[ "$f" = MAINTAINERS ] && continue
		[ "$(part_of "$f")" = "$part" ] || continue
		if [ -f "$TREE/$f" ]; then
			g update-index --add "$f"
		else
			g update-index --force-remove "$f"
		fi
		n=$((n + 1))
	done
	if printf '%s\n' "$changed" | grep -qx MAINTAINERS; then
		in_pfm=0
		blob=$(maintainers_at "$part" | g hash-object -w --stdin)
		g update-index --cacheinfo "100644,$blob,MAINTAINERS"
	fi
	tree=$(g write-tree)
	[ "$tree" = "$(g rev-parse "$parent^{tree}")" ] && continue   # nothing in this part
	parent=$(printf '%s\n\n%s\n' "$(msg $part)" "$SOB" | g commit-tree "$tree" -p "$parent")
	echo "    part $part: $n files -> $(g log -1 --format=%s "$parent")"
done
unset GIT_INDEX_FILE; rm -f "$idx"
final=$parent

rm -rf "$OUT"; mkdir -p "$OUT"
g format-patch -q -o "$OUT" pristine.."$final"
echo "==> patchset: $(ls "$OUT" | wc -l) patches in build/patchset/"
ls "$OUT" | sed 's/^/    /'

# --- verify: git am on a fresh worktree at pristine -----------------------------------------
echo "==> verify: git am on a fresh worktree at pristine"
g worktree remove --force "$VERIFY" 2>/dev/null || rm -rf "$VERIFY"
g worktree prune
g worktree add -q --detach "$VERIFY" pristine
rc=0
if git -C "$VERIFY" -c user.name="$NAME" -c user.email="$EMAIL" am -q "$OUT"/*.patch; then
	if [ "$(git -C "$VERIFY" rev-parse HEAD^{tree})" = "$(g rev-parse "$final^{tree}")" ]; then
		echo "    git am: clean, result identical to the prepared tree"
	else
		echo "    git am: applied, but the tree differs from the prepared tree"; rc=1
	fi
else
	echo "    git am: FAILED"; git -C "$VERIFY" am --abort || true; rc=1
fi
g worktree remove --force "$VERIFY"

echo "==> checkpatch --strict on each patch"
for p in "$OUT"/*.patch; do
	res=$(perl "$TREE/scripts/checkpatch.pl" --strict --no-tree --color=never "$p" 2>&1 | grep '^total:' || true)
	printf '    %-60s %s\n' "$(basename "$p")" "$res"
done
exit $rc
