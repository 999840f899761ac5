#!/bin/sh
# apt-need.sh PACKAGE...: installs the Debian packages that are missing (as root, or
# through password-less sudo), so each heavy make target brings its own tools and
# `make test` stays free of them.
set -eu
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "apt-need: missing$missing and no permission to install them" >&2; exit 1
fi
echo "apt-need: installing$missing"
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
