#!/bin/bash
# Build one test kernel: harness/build-kernel.sh <x86_64|arm64> <debug|release> [make targets...]
#
# Config = tinyconfig + configs/base.config + configs/<arch>.config + configs/<flavor>.config
#          (+ configs/<arch>-<flavor>.config if present), merged with merge_config.sh, then
#          olddefconfig. Every CONFIG_ line of the fragments must survive in the final .config,
#          otherwise the build fails (a silently dropped option means we test the wrong kernel).
# The config is only regenerated when a fragment (or a Kconfig file) is newer than .config.
# Output: build/<arch>-<flavor>/ (O= dir), kernel image + usr/include (headers_install).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH_=${1:?arch}; FLAVOR=${2:?flavor}; shift 2
TREE=$ROOT/build/linux
O=$ROOT/build/$ARCH_-$FLAVOR

case "$ARCH_" in
x86_64) KARCH=x86_64; CROSS=""; IMAGE=arch/x86/boot/bzImage ;;
arm64)  KARCH=arm64;  CROSS=aarch64-linux-gnu-; IMAGE=arch/arm64/boot/Image ;;
*) echo "unknown ARCH $ARCH_" >&2; exit 2 ;;
esac
case "$FLAVOR" in debug|release) ;; *) echo "unknown FLAVOR $FLAVOR" >&2; exit 2 ;; esac

frags=("$ROOT/configs/base.config" "$ROOT/configs/$ARCH_.config" "$ROOT/configs/$FLAVOR.config")
[ -f "$ROOT/configs/$ARCH_-$FLAVOR.config" ] && frags+=("$ROOT/configs/$ARCH_-$FLAVOR.config")

export ARCH=$KARCH CROSS_COMPILE=$CROSS
export KBUILD_BUILD_USER=perfmon KBUILD_BUILD_HOST=harness   # reproducible banners
K=(make -C "$TREE" O="$O" ARCH="$KARCH" CROSS_COMPILE="$CROSS" CC="ccache ${CROSS}gcc"
   HOSTCC="ccache gcc" -j"$(nproc)")

mkdir -p "$O"
exec 9>"$ROOT/build/.build.lock"
flock -n 9 || { echo "==> waiting for build/.build.lock (another build is running)"; flock 9; }

# --- config ------------------------------------------------------------------------------
# $O/.config.ok is written only after a merge whose result passed the survival check.
STAMP=$O/.config.ok
need_config=0
[ -f "$O/.config" ] && [ -f "$STAMP" ] || need_config=1
for f in "${frags[@]}"; do if [ "$f" -nt "$STAMP" ]; then need_config=1; fi; done
# a new/changed Kconfig (e.g. kernel/perfmon/Kconfig landing) must re-run the merge
if [ $need_config = 0 ] && [ -n "$(find "$TREE" -name 'Kconfig*' -newer "$STAMP" -print -quit)" ]; then
	need_config=1
fi
if [ $need_config = 1 ]; then
	echo "==> config $ARCH_-$FLAVOR"
	rm -f "$STAMP"
	"${K[@]}" -s tinyconfig >/dev/null
	(cd "$TREE" && scripts/kconfig/merge_config.sh -O "$O" -m "$O/.config" "${frags[@]}") >/dev/null
	"${K[@]}" -s olddefconfig >/dev/null
fi

# Survival check: "CONFIG_X=v" must appear verbatim; "# CONFIG_X is not set" must not be =y/m.
# KCONFIG_ALLOW_MISSING="PERFMON PERFMON_KUNIT_TEST" downgrades those symbols to a warning
# (only meant for testing the harness before the kernel code lands).
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) sym=${line%%=*}; grep -qxF -- "$line" "$O/.config" && continue ;;
	"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}
		grep -qE "^$sym=[ym]" "$O/.config" || continue ;;
	*) continue ;;
	esac
	got=$(grep -E "^(# )?$sym[= ]" "$O/.config" || echo "(absent)")
	if [[ " ${KCONFIG_ALLOW_MISSING:-} " == *" ${sym#CONFIG_} "* ]]; then
		echo "WARNING: requested '$line' but .config has: $got (allowed by KCONFIG_ALLOW_MISSING)"
	else
		echo "ERROR: requested '$line' but .config has: $got"
		bad=1
	fi
done < <(cat "${frags[@]}")
if [ $bad = 1 ]; then
	echo "ERROR: config fragments for $ARCH_-$FLAVOR did not survive olddefconfig" >&2
	rm -f "$STAMP"   # force a re-merge next time
	exit 1
fi
touch "$STAMP"

# --- build -------------------------------------------------------------------------------
echo "==> build $ARCH_-$FLAVOR"
start=$(date +%s)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("$(basename "$IMAGE")" headers_install)
"${K[@]}" "${targets[@]}"
echo "==> build $ARCH_-$FLAVOR done in $(( $(date +%s) - start ))s: $O/$IMAGE"
