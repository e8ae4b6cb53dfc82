#!/bin/bash
# Static checks on the perfmon code; each check is one pass/fail item in build/results/static.json.
#   checkpatch   checkpatch.pl --strict on every new perfmon C/header file (-f) and on every
#                patch in patches/series; any ERROR/WARNING/CHECK fails
#   sparse       make C=2 on kernel/perfmon/ (and arch/*/perfmon/) for x86_64-debug and arm64-debug
#   W=1          make W=1 on the same directories (kbuild rebuilds them: the flags changed)
#   uapi-header  UAPI_HEADER_TEST build of usr/include/ (x86_64-debug) + linux/perfmon*.h compiled
#                alone with -std=c90 -Wall -Werror for x86_64 and arm64
#   docs         harness/docs.sh: the documentation renders with Sphinx -W (make docs)
# Needs the debug kernels configured and built (make build). Exit status: 1 if any check failed.
set -uo pipefail    # no -e on purpose: a failed step is recorded and the run goes on

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TREE=$ROOT/build/linux
LOGD=$ROOT/build/logs/static
RES=$ROOT/build/results/static.json
mkdir -p "$LOGD" "$(dirname "$RES")"
: >"$LOGD/items.tsv"

# record <name> <pass|fail|skip> <note>
record() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$LOGD/items.tsv"
	printf '    %-12s %s%s\n' "$1" "$2" "${3:+ ($3)}"
}
# show the first lines of a problem log, indented
show() { sed -n '1,40p' "$1" | sed 's/^/      | /'; }

kmake() {    # kmake <arch> <flavor> args... : kernel make like build-kernel.sh, under the lock
	local a=$1 f=$2; shift 2
	local cross="" karch=$a
	[ "$a" = arm64 ] && cross=aarch64-linux-gnu-
	flock "$ROOT/build/.build.lock" make -C "$TREE" O="$ROOT/build/$a-$f" ARCH="$karch" \
		CROSS_COMPILE="$cross" CC="ccache ${cross}gcc" HOSTCC="ccache gcc" -j"$(nproc)" "$@"
}

# --- checkpatch ----------------------------------------------------------------------------
echo "==> static: checkpatch"
CP=(perl "$TREE/scripts/checkpatch.pl" --strict --no-tree --terse --no-summary --show-types --color=never)
files=$(cd "$ROOT" && git ls-files -co --exclude-standard -- \
	'kernel/perfmon/*.[ch]' 'include/linux/perfmon*.h' 'include/uapi/linux/perfmon.h' \
	'arch/*/perfmon/*.[ch]' 'arch/*/include/asm/perfmon*.h' 'tools/testing/selftests/perfmon/*.[ch]' | sort -u)
patches=()
if [ -f "$ROOT/patches/series" ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		patches+=("patches/$p")
	done <"$ROOT/patches/series"
fi
: >"$LOGD/checkpatch.log"
n=0
for f in $files; do
	[ -f "$ROOT/$f" ] || continue
	(cd "$ROOT" && "${CP[@]}" -f "$f") >>"$LOGD/checkpatch.log" 2>&1; n=$((n + 1))
done
for p in "${patches[@]+"${patches[@]}"}"; do
	# via stdin: checkpatch switches to file mode (-f) for a path that git tracks
	"${CP[@]}" - <"$ROOT/$p" 2>&1 | sed "s|^-:|$p:|" >>"$LOGD/checkpatch.log"; n=$((n + 1))
done
problems=$(grep -cE '(ERROR|WARNING|CHECK):' "$LOGD/checkpatch.log")
if [ "$n" = 0 ]; then
	record checkpatch skip "no perfmon files yet"
elif [ "$problems" = 0 ]; then
	record checkpatch pass "$n files/patches clean"
else
	record checkpatch fail "$problems problems in $n files/patches, build/logs/static/checkpatch.log"
	show "$LOGD/checkpatch.log"
fi

# --- sparse and W=1 -------------------------------------------------------------------------
dirs=()
for d in kernel/perfmon arch/x86/perfmon arch/arm64/perfmon; do
	[ -d "$TREE/$d" ] && dirs+=("$d/")
done
compile_check() {    # compile_check <name> <make args...>
	local name=$1; shift
	echo "==> static: $name"
	local log=$LOGD/$name.log bad=0 ran=0
	: >"$log"
	if [ ${#dirs[@]} = 0 ]; then record "$name" skip "no kernel/perfmon yet"; return; fi
	for a in x86_64 arm64; do
		if [ ! -f "$ROOT/build/$a-debug/.config" ]; then
			echo "### $a-debug not configured" >>"$log"; bad=1; continue
		fi
		local adirs=()
		for d in "${dirs[@]}"; do
			case "$d" in arch/x86/*) [ $a = x86_64 ] || continue ;; arch/arm64/*) [ $a = arm64 ] || continue ;; esac
			adirs+=("$d")
		done
		echo "### $a-debug" >>"$log"
		kmake "$a" debug "$@" "${adirs[@]}" >"$log.out" 2>&1 || bad=1
		cat "$log.out" >>"$log"; ran=1
	done
	rm -f "$log.out"
	local w
	# A .c file outside the perfmon directories is another compile unit that the make
	# invocation checked on the way (arm64 vdso_prepare under C=2): not ours. Headers stay in:
	# a warning located in a shared header can be caused by perfmon code using it.
	w=$(grep -E '(warning|error):' "$log" | grep -vE '^[^:]*\.c:[0-9]+' ; grep -E '(warning|error):' "$log" |
		grep -E '^[^:]*(/perfmon/|perfmon[^/:]*\.c)[^:]*:[0-9]+')
	w=$(printf '%s\n' "$w" | grep . | sort -u)
	if [ $bad = 0 ] && [ -z "$w" ]; then
		record "$name" pass "x86_64+arm64 ${dirs[*]}"
	else
		record "$name" fail "$(printf '%s\n' "$w" | grep -c .) diagnostics, build/logs/static/$name.log"
		{ [ -n "$w" ] && printf '%s\n' "$w" || tail -20 "$log"; } >"$log.short"
		show "$log.short"; rm -f "$log.short"
	fi
}
# Touch the sources so that W=1 really recompiles them even if an interrupted run left objects
# built with W=1 flags (kbuild would then see nothing to do and print no warnings).
for d in "${dirs[@]}"; do find "$TREE/$d" -name '*.c' -exec touch {} +; done
compile_check W=1 W=1
# C=2 checks every file even when its object is up to date; no W=1 so objects go back to normal flags
compile_check sparse C=2

# --- uapi header -----------------------------------------------------------------------------
echo "==> static: uapi-header"
log=$LOGD/uapi-header.log
: >"$log"
if [ ! -f "$TREE/include/uapi/linux/perfmon.h" ]; then
	record uapi-header skip "no include/uapi/linux/perfmon.h yet"
else
	bad=0
	if grep -q '^CONFIG_UAPI_HEADER_TEST=y' "$ROOT/build/x86_64-debug/.config" 2>/dev/null; then
		echo "### x86_64-debug make usr/include/" >>"$log"
		kmake x86_64 debug usr/include/ >>"$log" 2>&1 || bad=1
	else
		echo "### x86_64-debug lacks CONFIG_UAPI_HEADER_TEST" >>"$log"; bad=1
	fi
	for a in x86_64 arm64; do
		cc=gcc; [ $a = arm64 ] && cc=aarch64-linux-gnu-gcc
		inc=$ROOT/build/$a-debug/usr/include
		echo "### $a: $cc -std=c90 -Wall -Werror linux/perfmon*.h" >>"$log"
		printf '#include <linux/perfmon.h>\n#include <linux/perfmon_dfl_smpl.h>\nint main(void) { return 0; }\n' |
			$cc -std=c90 -Wall -Werror -isystem "$inc" -I"$inc" \
				-fsyntax-only -x c - >>"$log" 2>&1 || bad=1
	done
	if [ $bad = 0 ] && ! grep -qE '(error|warning):' "$log"; then
		record uapi-header pass "hdrtest + c90 x86_64/arm64"
	else
		record uapi-header fail "build/logs/static/uapi-header.log"
		grep -E '(error|warning):|###' "$log" >"$log.short" || tail -20 "$log" >"$log.short"
		show "$log.short"; rm -f "$log.short"
	fi
fi

# --- documentation ---------------------------------------------------------------------------
echo "==> static: docs"
log=$LOGD/docs.log
if bash "$ROOT/harness/docs.sh" >"$log" 2>&1; then
	record docs pass "Sphinx -W, ABI validated, man page (build/docs/html)"
else
	record docs fail "build/logs/static/docs.log"
	show "$log"
fi

python3 - "$LOGD/items.tsv" "$RES" <<'EOF'
import json, sys
items = []
for line in open(sys.argv[1]):
    name, st, note = line.rstrip("\n").split("\t")
    items.append({"name": name, "passed": int(st == "pass"), "failed": int(st == "fail"),
                  "skipped": int(st == "skip"), "notes": [note] if note else []})
json.dump({"mode": "static", "items": items}, open(sys.argv[2], "w"), indent=1)
sys.exit(1 if any(i["failed"] for i in items) else 0)
EOF
