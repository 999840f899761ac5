#!/bin/sh
# check-overlay.sh OVERLAY.dtbo DTB...: applies the RaspBee UART overlay to the device trees
# Debian's kernel installs for the Pi 3 and 4 (fdtoverlay, libfdt's own merge) and checks
# the result: PL011 (uart0) enabled on pins 14/15, its Bluetooth child and the mini UART
# (uart1) disabled. The image build fails if a kernel update moved or renamed those nodes.
# What this cannot show is the Pi firmware doing the same merge at boot.
set -eu
overlay=$1
shift
[ "$#" -gt 0 ] || { echo "check-overlay: no device trees given" >&2; exit 1; }
merged=$(mktemp)
trap 'rm -f "$merged"' EXIT
for dtb in "$@"; do
    name=$(basename "$dtb")
    fdtoverlay -i "$dtb" -o "$merged" "$overlay"
    [ "$(fdtget "$merged" /soc/serial@7e201000 status)" = okay ] || { echo "$name: uart0 not on" >&2; exit 1; }
    [ "$(fdtget "$merged" /soc/serial@7e201000/bluetooth status)" = disabled ] || { echo "$name: bt on" >&2; exit 1; }
    [ "$(fdtget "$merged" /soc/serial@7e215040 status)" = disabled ] || { echo "$name: uart1 on" >&2; exit 1; }
    phandle=$(fdtget "$merged" /soc/serial@7e201000 pinctrl-0)
    [ "$(fdtget "$merged" /soc/gpio@7e200000/gateway_uart0_pins phandle)" = "$phandle" ] || {
        echo "$name: uart0 pins are not GPIO 14/15" >&2; exit 1; }
    [ "$(fdtget "$merged" /soc/gpio@7e200000/gateway_uart0_pins brcm,pins)" = "14 15" ] || exit 1
    echo "check-overlay: $name: PL011 on GPIO 14/15, Bluetooth and mini UART off"
done
