#!/bin/bash
# The project's test entry point (make check / make check-fast).
#   harness/check.sh                full: static checks, both debug kernels, boots x86_64,
#                                   arm64-exact, arm64-smp and arm64-sw (KUnit + selftests in
#                                   each; arm64-sw = arm64-smp with perfmon.pmu=sw)
#   harness/check.sh --fast MODE    edit-test loop: rebuild one debug kernel, boot one mode
# Keeps going after a failure so that one broken piece does not hide the others; every build,
# static check, boot and test suite is an item in the final summary (results.py summary).
# Exit status: 0 only when nothing failed.
set -uo pipefail    # no -e on purpose: a failed step is recorded and the run goes on

ROOT=$(cd "$(dirname "$0")/.." && pwd)
H=$ROOT/harness
R=$ROOT/build/results
FAST=""
if [ "${1:-}" = --fast ]; then FAST=${2:-x86_64}; fi

case "$FAST" in
"") MODES=(x86_64 arm64-exact arm64-smp arm64-sw) ;;
x86_64|arm64-exact|arm64-smp|arm64-sw) MODES=("$FAST") ;;
*) echo "unknown mode $FAST (x86_64, arm64-exact, arm64-smp, arm64-sw)" >&2; exit 2 ;;
esac
arch_of() { case "$1" in x86_64) echo x86_64 ;; *) echo arm64 ;; esac; }
ARCHES=()
for m in "${MODES[@]}"; do
	a=$(arch_of "$m"); [[ " ${ARCHES[*]-} " == *" $a "* ]] || ARCHES+=("$a")
done

mkdir -p "$R" "$ROOT/build/logs"
rm -f "$R"/*.json
t0=$(date +%s)
timings=()
lap() { timings+=("$(printf '%-28s %4ss' "$1" "$2")"); }

# failed_item <mode> <name> <note>: a result file with one failed item
failed_item() {
	python3 -c 'import json,sys; json.dump({"mode": sys.argv[1], "items": [{"name": sys.argv[2],
	"passed": 0, "failed": 1, "skipped": 0, "notes": [sys.argv[3]]}]}, open(sys.argv[4], "w"))' \
		"$1" "$2" "$3" "$R/$1-$2.json"
}

s=$(date +%s)
"$H/prepare-tree.sh" || { failed_item tree prepare "prepare-tree.sh failed (see above)"; \
	python3 "$H/results.py" summary "$R"/*.json; exit 1; }
lap "tree sync (+ lock wait)" $(( $(date +%s) - s ))

# --- static checks (full check only) ----------------------------------------------------------
# They need configured, prepared O= dirs with installed headers. Running them before the image
# builds means their kernel/perfmon/ recompiles (W=1, then normal flags again under C=2) are
# linked once by the builds below instead of forcing a relink in the next run.
if [ -z "$FAST" ]; then
	s=$(date +%s)
	for a in "${ARCHES[@]}"; do
		echo "==> prepare $a-debug for static checks"
		"$H/build-kernel.sh" "$a" debug prepare headers_install >"$ROOT/build/logs/prepare-$a-debug.log" 2>&1 ||
			tail -20 "$ROOT/build/logs/prepare-$a-debug.log"
	done
	"$H/static-checks.sh"
	lap "static checks" $(( $(date +%s) - s ))
fi

# --- kernels + initramfs ---------------------------------------------------------------------
declare -A READY
builds=()
for a in "${ARCHES[@]}"; do
	s=$(date +%s)
	log=$ROOT/build/logs/build-$a-debug.log
	echo "==> build $a-debug (log build/logs/build-$a-debug.log)"
	if "$H/build-kernel.sh" "$a" debug >"$log" 2>&1; then
		lap "build $a-debug" $(( $(date +%s) - s ))
		s=$(date +%s)
		if "$H/mkinitramfs.sh" "$a" debug >"$ROOT/build/logs/initramfs-$a-debug.log" 2>&1; then
			READY[$a]=1
			lap "initramfs $a-debug" $(( $(date +%s) - s ))
			builds+=("$a-debug:pass")
		else
			tail -30 "$ROOT/build/logs/initramfs-$a-debug.log"
			builds+=("$a-debug:fail:initramfs/selftest build failed, build/logs/initramfs-$a-debug.log")
		fi
	else
		grep -E 'error|ERROR|Error' "$log" | head -30
		tail -5 "$log"
		builds+=("$a-debug:fail:kernel build failed, build/logs/build-$a-debug.log")
	fi
done
python3 - "$R/build.json" "${builds[@]}" <<'EOF'
import json, sys
items = []
for b in sys.argv[2:]:
    name, st, *note = b.split(":", 2)
    items.append({"name": name, "passed": int(st == "pass"), "failed": int(st != "pass"),
                  "skipped": 0, "notes": note})
json.dump({"mode": "build", "items": items}, open(sys.argv[1], "w"), indent=1)
EOF

# --- boots -------------------------------------------------------------------------------------
for m in "${MODES[@]}"; do
	a=$(arch_of "$m")
	if [ -z "${READY[$a]:-}" ]; then
		failed_item "$m" boot "not booted: $a-debug kernel/initramfs did not build"
		continue
	fi
	s=$(date +%s)
	python3 "$H/qemu-run.py" --mode "$m" --flavor debug ${QEMU_TIMEOUT:+--timeout "$QEMU_TIMEOUT"} \
		${ECHO:+--echo}
	lap "boot+test $m" $(( $(date +%s) - s ))
done

echo
echo "==> timings"
[ ${#timings[@]} -gt 0 ] && printf '    %s\n' "${timings[@]}"
printf '    %-28s %4ss\n' total $(( $(date +%s) - t0 ))
echo
echo "==> summary"
files=("$R/build.json")
[ -z "$FAST" ] && files+=("$R/static.json")
for m in "${MODES[@]}"; do
	if [ -f "$R/$m.json" ]; then files+=("$R/$m.json"); else files+=("$R/$m-boot.json"); fi
done
python3 "$H/results.py" summary "${files[@]}"
