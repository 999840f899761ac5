#!/bin/sh
# Runs inside the image (chroot, arm64 through qemu-user) after the packages are in.
# Everything that identifies one machine is removed here and made at first boot.
set -eu

# The kernel hook wrote config.txt/cmdline.txt before our /etc/default files could count
# for every package; write them again now that everything is installed.
DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware

systemctl enable gateway-firstboot.service systemd-networkd.service systemd-resolved.service \
    systemd-timesyncd.service ssh.service
systemctl is-enabled gateway.service
# No login prompt on the RaspBee's UART, whatever the console settings become later.
systemctl mask serial-getty@ttyAMA0.service serial-getty@ttyS0.service serial-getty@ttyS1.service

ln -sf ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf
cat >/etc/apt/sources.list <<'SOURCES'
deb http://deb.debian.org/debian bookworm main non-free-firmware
deb http://deb.debian.org/debian bookworm-updates main non-free-firmware
deb http://security.debian.org/debian-security bookworm-security main non-free-firmware
SOURCES

# No fixed secret and no identity in the image: root has no password (locked), SSH host
# keys and the machine id are made at first boot, the hostname too.
passwd -l root >/dev/null
rm -f /etc/ssh/ssh_host_*
echo gateway >/etc/hostname
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id
apt-get clean
rm -rf /var/lib/apt/lists/*
