#!/bin/sh
# build.sh DEB_OUT IMAGE_OUT: the Raspberry Pi image (image/gateway-pi.yaml) with debos.
#
# debos normally works inside a small VM (fakemachine); here it runs on the build machine
# itself (--disable-fakemachine, root), which needs only loop devices with partition
# scanning, ext4 and binfmt_misc with qemu-user-static for arm64: no device-mapper, no VM,
# no vfat in the build machine's kernel (the FAT partition is written with mtools).
set -eu
out=$1
imgout=$2
here=$(cd "$(dirname "$0")/.." && pwd)
version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
deb="$out/gateway_${version}_arm64.deb"
[ -e "$deb" ] || { echo "image: no $deb (make deb DEB_ARCHES=arm64)" >&2; exit 1; }
mirror=$("$here/debian/ci/mirror.sh")
image="gateway-pi-arm64-${version}.img"
mkdir -p "$imgout"
# debos bind-mounts /dev/disk into its systemd-nspawn chroots; a build machine without udev
# (a container) has none, and nspawn then refuses to start.
[ -d /dev/disk ] || mkdir /dev/disk
rm -f "$imgout/$image"
start=$(date +%s)
debos --disable-fakemachine --artifactdir="$imgout" \
    -t "mirror:$mirror" -t "deb:$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")" -t "image:$image" \
    "$here/image/gateway-pi.yaml"
echo "image: $imgout/$image ($(du -h --apparent-size "$imgout/$image" | cut -f1)) in $(( $(date +%s) - start )) s"
