#!/bin/bash
# Install the host packages the project needs and fetch arm64 user-space bits.
# Idempotent: apt-get runs only for packages dpkg says are missing, and the arm64 downloads
# only happen when their output is absent. Must run as root (it is the CI/dev machine).
#
# arm64 busybox/libpfm4 are *downloaded and unpacked*, never installed: busybox-static:arm64
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
	libpfm4-dev                                # tools/perfmon (later)
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
if [ ! -x "$B/busybox-arm64" ] || [ ! -d "$B/arm64-libpfm4/usr/lib/aarch64-linux-gnu" ]; then
	echo "==> fetching arm64 busybox-static and libpfm4 (download only)"
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
	if ! (apt-get update -q >/dev/null &&
	      cd "$tmp" && apt-get download -q busybox-static:arm64 libpfm4:arm64 libpfm4-dev:arm64); then
		cleanup_arch
		echo "ERROR: arm64 package download failed" >&2
		exit 1
	fi
	cleanup_arch
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/bb"
	install -m 0755 "$tmp/bb/bin/busybox" "$B/busybox-arm64"
	rm -rf "$B/arm64-libpfm4"
	mkdir -p "$B/arm64-libpfm4"
	for d in "$tmp"/libpfm4*_arm64.deb; do dpkg-deb -x "$d" "$B/arm64-libpfm4"; done
fi
readelf -h "$B/busybox-arm64" | grep -q AArch64 || { echo "ERROR: build/busybox-arm64 is not aarch64" >&2; exit 1; }
readelf -h /bin/busybox | grep -q X86-64 || { echo "ERROR: /bin/busybox is not x86-64 (was busybox-static:arm64 installed?)" >&2; exit 1; }
echo "==> deps ok"
