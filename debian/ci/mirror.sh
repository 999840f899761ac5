#!/bin/sh
# mirror.sh: prints the Debian mirror this machine's apt uses for bookworm (deb822
# .sources files first, then one-line sources.list entries), so that debootstrap fetches
# from the same reachable host and nothing else is hard-coded.
set -eu
for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         /(^|\n)Suites:[^\n]*(^| )bookworm( |$|\n)/ && /(^|\n)Types:[^\n]*deb( |$|\n)/ {
             for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, " "); if (u[2] !~ /security/) { print u[2]; exit } }
         }' "$f"
done | head -n 1 | grep . && exit 0
grep -hE '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]+ +bookworm( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{ print $1; exit }' | grep . && exit 0
echo "mirror.sh: no bookworm mirror in /etc/apt/sources.list*" >&2
exit 1
