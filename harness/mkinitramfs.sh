#!/bin/bash
# Build the guest initramfs: harness/mkinitramfs.sh <x86_64|arm64> <debug|release>
#   -> build/initramfs/<arch>-<flavor>.cpio.gz
#
# Contents: static busybox (/bin/busybox), /init (harness/init.sh), the perfmon kselftests
# (tools/testing/selftests/perfmon, built with its lib.mk Makefile against the uapi headers
# installed in build/<arch>-<flavor>/usr/include) under /perfmon/selftests/ with the run order in
# /perfmon/selftests/TESTS, and /bin/pfmon (+ /bin/pfm-workload, the test workload, and
# /bin/pfm-bench from tools/perfmon/bench) when tools/perfmon has a Makefile.
# Everything is built from the synced tree build/linux (run harness/prepare-tree.sh first).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH_=${1:?arch}; FLAVOR=${2:?flavor}
TREE=$ROOT/build/linux
O=$ROOT/build/$ARCH_-$FLAVOR
OUT=$ROOT/build/initramfs/$ARCH_-$FLAVOR.cpio.gz
STAGE=$ROOT/build/initramfs/$ARCH_-$FLAVOR.root
STOUT=$ROOT/build/selftests/$ARCH_-$FLAVOR        # selftest OUTPUT= dir
TOOLOUT=$ROOT/build/tools/$ARCH_-$FLAVOR          # tools/perfmon OUTPUT= dir

case "$ARCH_" in
x86_64) CROSS=""; BUSYBOX=/bin/busybox; PFMLIB=/usr; PFMLIBDIR=/usr/lib/x86_64-linux-gnu
	ELFLIB=/usr; ELFLIBDIR=/usr/lib/x86_64-linux-gnu ;;
arm64)  CROSS=aarch64-linux-gnu-; BUSYBOX=$ROOT/build/busybox-arm64
	PFMLIB=$ROOT/build/arm64-libpfm4/usr; PFMLIBDIR=$PFMLIB/lib/aarch64-linux-gnu
	ELFLIB=$ROOT/build/arm64-libelf/usr; ELFLIBDIR=$ELFLIB/lib/aarch64-linux-gnu ;;
*) echo "unknown ARCH $ARCH_" >&2; exit 2 ;;
esac
CC=${CROSS}gcc
[ -d "$O/usr/include/linux" ] || { echo "ERROR: $O/usr/include missing (build the kernel first)" >&2; exit 1; }

echo "==> initramfs $ARCH_-$FLAVOR"
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,perfmon/selftests}
install -m 0755 "$BUSYBOX" "$STAGE/bin/busybox"
install -m 0755 "$ROOT/harness/init.sh" "$STAGE/init"
# the kernel opens /dev/console before /init runs; devtmpfs is not mounted yet at that point
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$STAGE/dev/console" c 5 1
	mknod -m 666 "$STAGE/dev/null" c 1 3
fi

# --- selftests -----------------------------------------------------------------------------
ST=$TREE/tools/testing/selftests/perfmon
: >"$STAGE/perfmon/selftests/TESTS"
if [ -f "$ST/Makefile" ]; then
	echo "==> selftests $ARCH_-$FLAVOR"
	mkdir -p "$STOUT"
	smake=(make -C "$ST" OUTPUT="$STOUT" ARCH="$ARCH_" CROSS_COMPILE="$CROSS" CC="$CC"
	       KHDR_INCLUDES="-isystem $O/usr/include" LDFLAGS=-static)
	"${smake[@]}" all
	"${smake[@]}" install INSTALL_PATH="$STAGE/perfmon/selftests" >/dev/null
	[ -f "$ST/settings" ] && cp "$ST/settings" "$STAGE/perfmon/selftests/settings"
	# run order = lib.mk's own list of tests (TEST_GEN_PROGS, TEST_CUSTOM_PROGS, TEST_PROGS)
	"${smake[@]}" -s emit_tests COLLECTION=perfmon | sed -n 's/^perfmon://p' \
		>"$STAGE/perfmon/selftests/TESTS"
	echo "    tests: $(tr '\n' ' ' <"$STAGE/perfmon/selftests/TESTS")"
else
	echo "    (no tools/testing/selftests/perfmon/Makefile yet: no selftests)"
fi

# --- tools/perfmon (pfmon) -----------------------------------------------------------------
TOOL=$TREE/tools/perfmon
if [ -f "$TOOL/Makefile" ]; then
	echo "==> tools/perfmon $ARCH_-$FLAVOR"
	mkdir -p "$TOOLOUT"
	# LIBPFM_* / LIBELF_* point at the right-arch libpfm4 and libelf + zlib (arm64: unpacked
	# in build/arm64-libpfm4 and build/arm64-libelf by harness/deps.sh)
	make -C "$TOOL" OUTPUT="$TOOLOUT/" ARCH="$ARCH_" CROSS_COMPILE="$CROSS" CC="$CC" \
		KHDR_INCLUDES="-isystem $O/usr/include" LDFLAGS=-static \
		LIBPFM_INCLUDE="$PFMLIB/include" LIBPFM_LIBDIR="$PFMLIBDIR" \
		LIBELF_INCLUDE="$ELFLIB/include" LIBELF_LIBDIR="$ELFLIBDIR"
	pfmon=$(ls "$TOOLOUT/pfmon" "$TOOL/pfmon" 2>/dev/null | head -1 || true)
	if [ -z "$pfmon" ]; then echo "ERROR: tools/perfmon built no pfmon" >&2; exit 1; fi
	install -m 0755 "$pfmon" "$STAGE/bin/pfmon"
	# pfm-workload: the deterministic workload of the pfmon tests and of make run
	if [ -f "$TOOLOUT/workloads/pfm-workload" ]; then
		install -m 0755 "$TOOLOUT/workloads/pfm-workload" "$STAGE/bin/pfm-workload"
	fi
	# pfm-bench (tools/perfmon/bench), run by pfm.mode=bench (make bench)
	if [ -f "$TOOLOUT/bench/pfm-bench" ]; then
		install -m 0755 "$TOOLOUT/bench/pfm-bench" "$STAGE/bin/pfm-bench"
	fi
fi

# every ELF in the image must be static: there is no libc in the guest
for f in $(find "$STAGE" -type f -perm -u+x); do
	if readelf -h "$f" >/dev/null 2>&1 && readelf -l "$f" 2>/dev/null | grep -q 'INTERP'; then
		echo "ERROR: $f is dynamically linked (needs LDFLAGS=-static)" >&2; exit 1
	fi
done

mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "==> initramfs $ARCH_-$FLAVOR: $OUT ($(du -k "$OUT" | cut -f1) KiB)"
