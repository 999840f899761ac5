#!/bin/sh
# build-deb.sh ARCH OUTDIR: builds gateway_<version>_<ARCH>.deb from the working tree
# (committed or not) with dpkg-buildpackage, in a scratch copy of the tree so that no
# build products land in it, then runs lintian on the result.
set -eu
arch=$1
out=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gateway-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$out" "$scratch/src"
start=$(date +%s)
tar -C "$here" -c --exclude=./.venv --exclude=./.git --exclude=./.run --exclude=./build \
    --exclude='*.egg-info' --exclude=.pytest_cache --exclude=.mypy_cache --exclude=.ruff_cache \
    --exclude=.hypothesis --exclude=__pycache__ . | tar -x -C "$scratch/src"
# -d: Build-Depends name build-machine tools (python3, pip, installer) that a cross build
# takes from the build machine; `make deb` has installed them already.
(cd "$scratch/src" && dpkg-buildpackage -b -a "$arch" -d -us -uc --no-sign >"$scratch/build.log" 2>&1) || {
    tail -n 40 "$scratch/build.log" >&2; echo "build-deb: dpkg-buildpackage failed for $arch" >&2; exit 1; }
grep -E '^(fetch_wheels|install_venv):' "$scratch/build.log" || true
for f in "$scratch"/gateway_*_"$arch".deb "$scratch"/gateway_*_"$arch".buildinfo "$scratch"/gateway_*_"$arch".changes; do
    [ -e "$f" ] && cp "$f" "$out/"
done
deb=$(ls "$out"/gateway_*_"$arch".deb | tail -n 1)
echo "build-deb: $deb ($(du -h "$deb" | cut -f1)) in $(( $(date +%s) - start )) s"
lintian --fail-on error,warning --suppress-tags-from-file /dev/null "$deb"
echo "build-deb: lintian clean for $arch"
