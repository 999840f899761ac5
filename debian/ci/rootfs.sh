#!/bin/sh
# rootfs.sh ARCH DIR: a minimal Debian 12 root file system for ARCH in DIR, built once with
# debootstrap from this machine's mirror and reused (DIR/.complete marks a finished one).
# A foreign ARCH runs its maintainer scripts through qemu-user-static and binfmt_misc.
set -eu
arch=$1
dir=$2
[ -e "$dir/.complete" ] && exit 0
here=$(dirname "$0")
mirror=$("$here/mirror.sh")
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
start=$(date +%s)
echo "rootfs: debootstrap bookworm $arch from $mirror"
debootstrap --arch="$arch" --variant=minbase \
    --include=systemd,systemd-sysv,dbus,python3,debconf,libstdc++6,libgcc-s1 \
    bookworm "$dir" "$mirror" >"$dir.log" 2>&1 || { tail -n 20 "$dir.log" >&2; exit 1; }
touch "$dir/.complete"
echo "rootfs: $arch ready in $(( $(date +%s) - start )) s"
