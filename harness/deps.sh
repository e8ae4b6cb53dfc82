#!/bin/bash
# Install the host packages the project needs and fetch arm64 user-space bits.
# Idempotent: apt-get runs only for packages dpkg says are missing, and the arm64 downloads
# only happen when their output is absent. Must run as root (it is the CI/dev machine).
#
# arm64 busybox/libpfm4/libelf are *downloaded and unpacked*, never installed: busybox-static:arm64
# is not Multi-Arch: same and installing it would replace the host's /bin/busybox.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
mkdir -p "$B"

PKGS=(
	make gcc libc6-dev binutils git perl python3 xz-utils gzip cpio rsync
	flex bison bc libelf-dev libssl-dev        # kernel build
	linux-source-6.1                           # /usr/src/linux-source-6.1.tar.xz
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	qemu-system-x86 qemu-system-arm
	busybox-static                             # amd64 /bin/busybox for the x86_64 initramfs
	sparse ccache
	libpfm4-dev zlib1g-dev                     # tools/perfmon: event names; libelf.a needs libz.a
	python3-sphinx                             # Documentation/ builds
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "==> apt-get install ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
	echo "==> host packages: all ${#PKGS[@]} installed"
fi

# --- arm64 downloads (apt-get download + dpkg-deb -x, no install) ------------------------
# build/busybox-arm64       static busybox for the arm64 initramfs
# build/arm64-libpfm4/usr   libpfm4 (tools/perfmon: event names)
# build/arm64-libelf/usr    libelf + zlib (+ zstd) static libraries (tools/perfmon: symbols in
#                           pfmon report); the host's libelf-dev/zlib1g-dev serve x86_64
ARM64_LIBDIR=usr/lib/aarch64-linux-gnu
need_bb=0; need_pfm=0; need_elf=0
[ -x "$B/busybox-arm64" ] || need_bb=1
[ -f "$B/arm64-libpfm4/$ARM64_LIBDIR/libpfm.a" ] || need_pfm=1
{ [ -f "$B/arm64-libelf/$ARM64_LIBDIR/libelf.a" ] && [ -f "$B/arm64-libelf/$ARM64_LIBDIR/libz.a" ]; } ||
	need_elf=1
if [ $((need_bb + need_pfm + need_elf)) -gt 0 ]; then
	dl=()
	[ $need_bb = 1 ] && dl+=(busybox-static:arm64)
	[ $need_pfm = 1 ] && dl+=(libpfm4:arm64 libpfm4-dev:arm64)
	[ $need_elf = 1 ] && dl+=(libelf-dev:arm64 libzstd-dev:arm64 zlib1g-dev:arm64)
	echo "==> fetching arm64 ${dl[*]} (download only)"
	added=0
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		added=1
	fi
	tmp=$(mktemp -d)
	chmod 755 "$tmp"   # apt-get download drops privileges to _apt
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	cleanup_arch() {
		if [ $added = 1 ]; then
			dpkg --remove-architecture arm64 || true
			apt-get update -q >/dev/null || true
		fi
	}
	if ! (apt-get update -q >/dev/null && cd "$tmp" && apt-get download -q "${dl[@]}"); then
		cleanup_arch
		echo "ERROR: arm64 package download failed" >&2
		exit 1
	fi
	cleanup_arch
	if [ $need_bb = 1 ]; then
		dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/bb"
		install -m 0755 "$tmp/bb/bin/busybox" "$B/busybox-arm64"
	fi
	if [ $need_pfm = 1 ]; then
		rm -rf "$B/arm64-libpfm4"
		mkdir -p "$B/arm64-libpfm4"
		for d in "$tmp"/libpfm4*_arm64.deb; do dpkg-deb -x "$d" "$B/arm64-libpfm4"; done
	fi
	if [ $need_elf = 1 ]; then
		rm -rf "$B/arm64-libelf"
		mkdir -p "$B/arm64-libelf"
		for d in "$tmp"/libelf-dev_*_arm64.deb "$tmp"/libzstd-dev_*_arm64.deb \
			 "$tmp"/zlib1g-dev_*_arm64.deb; do
			dpkg-deb -x "$d" "$B/arm64-libelf"
		done
	fi
fi
readelf -h "$B/busybox-arm64" | grep -q AArch64 || { echo "ERROR: build/busybox-arm64 is not aarch64" >&2; exit 1; }
readelf -h /bin/busybox | grep -q X86-64 || { echo "ERROR: /bin/busybox is not x86-64 (was busybox-static:arm64 installed?)" >&2; exit 1; }
echo "==> deps ok"
