#!/bin/sh
# mmdebstrap extract-hook for rootfs built with --variant=extract (no shell, no dpkg, no apt):
# packages were only unpacked, so no maintainer script ran. This writes what those scripts or dpkg
# would have left that matters at run time or for the SBOM:
# - /var/lib/dpkg/status, one "install ok installed" record per unpacked .deb (its control fields),
#   so dpkg-query --admindir and SBOM scanners list exactly what the image holds;
# - /etc/ld.so.cache (host ldconfig -r; the host is the same Debian release);
# - /etc/nsswitch.conf (files for users, files then DNS for hosts: compose service names resolve).
# Then removes apt's and mmdebstrap's leftovers (sources, downloaded .debs, empty apt folders):
# there is no apt in this rootfs. mmdebstrap's own apt cleanup must be skipped for that
# (--skip=cleanup/apt,cleanup/mmdebstrap), or it fails on the files already gone.
set -eu
root="$1"

status="$root/var/lib/dpkg/status"
mkdir -p "$root/var/lib/dpkg"
: > "$status"
for deb in "$root"/var/cache/apt/archives/*.deb; do
  printf 'Package: %s\nStatus: install ok installed\n' "$(dpkg-deb -f "$deb" Package)" >> "$status"
  dpkg-deb -f "$deb" | grep -v '^Package:' >> "$status"
  echo >> "$status"
done
ldconfig -r "$root"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' > "$root/etc/nsswitch.conf"

rm -rf "$root/etc/apt" "$root/var/lib/apt" "$root/var/cache/apt" "$root/var/log/apt"
rmdir "$root/etc/dpkg/dpkg.cfg.d" 2>/dev/null || true
