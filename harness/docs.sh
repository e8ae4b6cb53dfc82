#!/bin/bash
# Render perfmon's documentation to HTML: harness/docs.sh  ->  build/docs/html/index.html
#
# The pages are the overlay's own (Documentation/userspace-api/perfmon/, the admin guide page
# and the ABI file), built by Sphinx with the kernel's kernel-doc extension from build/linux
# (run harness/prepare-tree.sh first), so that the kernel-doc directives render the real
# headers. Warnings are errors (-W). The pfmon man page is checked with groff's warnings on.
# Exit status: 0 when everything rendered without a warning.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TREE=$ROOT/build/linux
SRC=$ROOT/build/docs/src
OUT=$ROOT/build/docs/html
PY=/usr/bin/python3      # Debian's python3-sphinx; a pyenv python3 on PATH may lack it

[ -x "$TREE/scripts/kernel-doc" ] || { echo "ERROR: build/linux missing (make tree)" >&2; exit 1; }
$PY -c 'import sphinx' 2>/dev/null || { echo "ERROR: python3-sphinx missing (make deps)" >&2; exit 1; }

rm -rf "$SRC" "$OUT"
mkdir -p "$SRC/userspace-api" "$SRC/admin-guide" "$SRC/abi"
cp -r "$ROOT/Documentation/userspace-api/perfmon" "$SRC/userspace-api/"
cp "$ROOT/Documentation/admin-guide/perfmon.rst" "$SRC/admin-guide/"
mkdir -p "$SRC/abi/testing"
cp "$ROOT/Documentation/ABI/testing/sysfs-kernel-perfmon" "$SRC/abi/testing/"
# The ABI file is plain text with its own syntax; the kernel's get_abi.pl turns it into reST
# (and "validate" checks it), as the kernel's own ABI book does.
perl "$TREE/scripts/get_abi.pl" validate --dir "$SRC/abi" 2>&1 | { grep -v '^$' || true; } \
	>"$ROOT/build/docs/abi-validate.log"
if [ -s "$ROOT/build/docs/abi-validate.log" ]; then
	cat "$ROOT/build/docs/abi-validate.log" >&2; exit 1
fi
perl "$TREE/scripts/get_abi.pl" rest --dir "$SRC/abi" >"$SRC/abi.rst.in"
{ printf 'perfmon sysfs ABI\n=================\n\n'; cat "$SRC/abi.rst.in"; } >"$SRC/abi.rst"
rm -f "$SRC/abi.rst.in"

cat >"$SRC/conf.py" <<PYEOF
import sys
sys.path.insert(0, '$TREE/Documentation/sphinx')
project = 'perfmon'
master_doc = 'index'
extensions = ['kerneldoc']
kerneldoc_bin = '$TREE/scripts/kernel-doc'
kerneldoc_srctree = '$ROOT'
primary_domain = 'c'
highlight_language = 'none'
c_id_attributes = ['__user', '__rcu', '__percpu', '__iomem']
exclude_patterns = ['abi']
PYEOF
cat >"$SRC/index.rst" <<'RSTEOF'
perfmon documentation
=====================

.. toctree::
   :maxdepth: 2

   userspace-api/perfmon/index
   admin-guide/perfmon
   abi
RSTEOF

echo "==> sphinx: build/docs/html"
$PY -m sphinx -b html -W --keep-going -n -q "$SRC" "$OUT"

MAN=$ROOT/tools/perfmon/pfmon.1
if [ -f "$MAN" ]; then
	echo "==> man page: tools/perfmon/pfmon.1"
	warn=$(groff -man -ww -z "$MAN" 2>&1 || true)
	if [ -n "$warn" ]; then echo "$warn" >&2; exit 1; fi
	mkdir -p "$OUT/man"
	groff -man -Tutf8 "$MAN" >"$OUT/man/pfmon.1.txt" 2>/dev/null || true
fi
echo "docs: OK ($OUT/index.html)"
