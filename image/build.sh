#!/bin/sh
# build.sh DEB_OUT IMAGE_OUT: the Raspberry Pi image (image/gateway-pi.yaml) with debos.
#
# debos normally works inside a small VM (fakemachine); here it runs on the build machine
# itself (--disable-fakemachine, root), which needs only loop devices with partition
# scanning, ext4 and binfmt_misc with qemu-user-static for arm64: no device-mapper, no VM,
# no vfat in the build machine's kernel (the FAT partition is written with mtools).
set -eu
out=$1
imgout=$(mkdir -p "$2" && cd "$2" && pwd)
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
# debos runs `udevadm trigger --settle` on the image's loop device; without a udev daemon
# that waits forever (seen here). Partition nodes come from devtmpfs without udev, so on
# such a machine a udevadm that skips "trigger" is put first in debos' PATH.
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
if ! udevadm control --ping >/dev/null 2>&1; then
    real=$(command -v udevadm)
    printf '#!/bin/sh
case " $* " in *" trigger "*) exit 0 ;; esac
exec %s "$@"
' "$real" >"$shim/udevadm"
    chmod +x "$shim/udevadm"
fi
rm -f "$imgout/$image"
start=$(date +%s)
# debos keeps its scratch directory (.debos-*) in the current directory.
(cd "$imgout" && PATH="$shim:$PATH" debos --disable-fakemachine --artifactdir="$imgout" \
    -t "mirror:$mirror" -t "deb:$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")" -t "image:$image" \
    "$here/image/gateway-pi.yaml")
# A loop device debos left bound to the image (seen once here) would pin the old file.
losetup -ln -O NAME,BACK-FILE | while read -r dev file; do
    case "$file" in "$imgout/$image"*) losetup -d "$dev" || true ;; esac
done
echo "image: $imgout/$image ($(du -h --apparent-size "$imgout/$image" | cut -f1)) in $(( $(date +%s) - start )) s"
