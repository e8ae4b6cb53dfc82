#!/bin/bash
# Prepare build/linux: pristine Linux 6.1 source + the repo overlay + patches/series.
#
#  1. build/linux is created once from /usr/src/linux-source-6.1.tar.xz as a git repo whose
#     first commit is tagged `pristine` (Debian's .gitignore ignores top-level files: add -f).
#  2. Overlay: every non-ignored file under kernel/ include/ arch/ Documentation/ tools/ of this
#     repo is copied into the tree, but only when its content differs, so unchanged files keep
#     their mtime and kernel rebuilds stay incremental. build/overlay.manifest remembers what
#     was synced; a file that disappears from the overlay is restored from `pristine` (or
#     deleted if pristine does not have it).
#  3. Patches: applied with `git apply` in patches/series order. A hash of series + patch
#     contents is kept in build/patches.stamp; nothing happens while it is unchanged. When it
#     changes, the whole series is applied anew to pristine copies of the touched files, and
#     files no longer touched go back to pristine; either way only files whose content really
#     changes are written. A file may not be both in the overlay and patched.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TREE=$ROOT/build/linux
TARBALL=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
MANIFEST=$ROOT/build/overlay.manifest
PSTAMP=$ROOT/build/patches.stamp
PFILES=$ROOT/build/patches.files      # files touched by the currently applied patch set
OVERLAY_DIRS=(kernel include arch Documentation tools)

mkdir -p "$ROOT/build"
# Serialize with kernel builds: never rewrite sources while make is reading them.
exec 9>"$ROOT/build/.build.lock"
flock -n 9 || { echo "==> waiting for build/.build.lock (another build is running)"; flock 9; }

# --- 1. pristine tree --------------------------------------------------------------------
if [ ! -d "$TREE/.git" ]; then
	echo "==> extracting $TARBALL to build/linux"
	rm -rf "$TREE" "$TREE.tmp"
	mkdir -p "$TREE.tmp"
	tar -xf "$TARBALL" -C "$TREE.tmp" --strip-components=1
	(
		cd "$TREE.tmp"
		git init -q
		git add -A -f
		git -c user.name=perfmon-harness -c user.email=harness@localhost \
			commit -q -m "pristine $(basename "$TARBALL")"
		git tag pristine
	)
	mv "$TREE.tmp" "$TREE"
	rm -f "$MANIFEST" "$PSTAMP" "$PFILES"
fi

gtree() { git -C "$TREE" "$@"; }
# restore <file>: back to the pristine content, or remove it if pristine lacks it
restore() {
	if gtree cat-file -e "pristine:$1" 2>/dev/null; then
		gtree checkout -q pristine -- "$1"
	else
		rm -f "$TREE/$1"
	fi
}

# --- 2. overlay --------------------------------------------------------------------------
echo "==> syncing overlay into build/linux"
new_manifest=$(mktemp)
# (tracked files deleted from the work tree are still listed by ls-files: drop them)
(cd "$ROOT" && git ls-files -co --exclude-standard -- "${OVERLAY_DIRS[@]}" |
	while IFS= read -r f; do if [ -f "$f" ]; then echo "$f"; fi; done) | sort -u >"$new_manifest"

copied=0
while IFS= read -r f; do
	if ! cmp -s "$ROOT/$f" "$TREE/$f"; then
		mkdir -p "$(dirname "$TREE/$f")"
		cp -p "$ROOT/$f" "$TREE/$f"
		touch "$TREE/$f"                 # newer than any object built from the old content
		echo "    updated $f"
		copied=$((copied + 1))
	fi
done <"$new_manifest"

removed=0
if [ -f "$MANIFEST" ]; then
	while IFS= read -r f; do
		if ! grep -qxF -- "$f" "$new_manifest"; then
			restore "$f"
			echo "    restored $f (no longer in overlay)"
			removed=$((removed + 1))
		fi
	done <"$MANIFEST"
fi
mv "$new_manifest" "$MANIFEST"
echo "    overlay: $(wc -l <"$MANIFEST") files, $copied updated, $removed restored"

# --- 3. patches --------------------------------------------------------------------------
series=$ROOT/patches/series
patches=()
if [ -f "$series" ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		patches+=("$ROOT/patches/$p")
	done <"$series"
fi
hash=$( { [ -f "$series" ] && cat "$series"; for p in "${patches[@]+"${patches[@]}"}"; do
	echo "== $p"; cat "$p"; done; } | sha256sum | cut -d' ' -f1)

if [ -f "$PSTAMP" ] && [ "$(cat "$PSTAMP")" = "$hash" ]; then
	echo "==> patches unchanged (${#patches[@]} in series)"
	exit 0
fi

echo "==> (re)applying ${#patches[@]} patches"
rm -f "$PSTAMP"
# Apply the series to pristine copies of the touched files in a scratch directory, then copy
# into the tree only the files whose content changed: a change to one patch does not touch
# the mtime of (and so does not rebuild everything that includes) the other patched files.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
: >"$scratch/.touched"
for p in "${patches[@]+"${patches[@]}"}"; do
	git apply --numstat "$p" | cut -f3- >>"$scratch/.touched"
done
sort -u -o "$scratch/.touched" "$scratch/.touched"
while IFS= read -r f; do
	if grep -qxF -- "$f" "$MANIFEST"; then
		echo "ERROR: $f is both in the overlay and changed by a patch; use one or the other" >&2
		exit 1
	fi
	if gtree cat-file -e "pristine:$f" 2>/dev/null; then
		mkdir -p "$(dirname "$scratch/$f")"
		gtree show "pristine:$f" >"$scratch/$f"
	fi
done <"$scratch/.touched"
for p in "${patches[@]+"${patches[@]}"}"; do
	echo "    $(basename "$p")"
	if ! (cd "$scratch" && git apply --whitespace=nowarn "$p"); then
		echo "ERROR: patch does not apply: $p" >&2
		exit 1
	fi
done
# files of the previous patch set that this one no longer touches go back to pristine
if [ -f "$PFILES" ]; then
	while IFS= read -r f; do
		grep -qxF -- "$f" "$scratch/.touched" && continue
		if ! gtree cat-file -e "pristine:$f" 2>/dev/null || ! gtree show "pristine:$f" | cmp -s - "$TREE/$f"; then
			restore "$f"
			echo "    restored $f (no longer patched)"
		fi
	done <"$PFILES"
fi
while IFS= read -r f; do
	if [ -f "$scratch/$f" ]; then
		if ! cmp -s "$scratch/$f" "$TREE/$f"; then
			mkdir -p "$(dirname "$TREE/$f")"
			cp "$scratch/$f" "$TREE/$f"
			echo "    patched $f"
		fi
	else
		rm -f "$TREE/$f"     # deleted by a patch
	fi
done <"$scratch/.touched"
cp "$scratch/.touched" "$PFILES"
echo "$hash" >"$PSTAMP"
