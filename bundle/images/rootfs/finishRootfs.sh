#!/bin/sh
# mmdebstrap hook, last one of every rootfs: finishRootfs.sh ROOT PACKAGES_OUT
# - Records the installed Debian packages as "name<TAB>version<TAB>arch" lines, sorted, at
#   /usr/share/porten/packages.tsv in the rootfs and at PACKAGES_OUT on the host (the SBOM input,
#   readable without running a container).
# - Drops what ties the rootfs to the build machine or is not needed at run time: the host's
#   /etc/hostname and /etc/resolv.conf (docker provides both), dpkg/debconf backup files.
#   (mmdebstrap itself removes apt lists and caches and, with SOURCE_DATE_EPOCH, the other
#   non-reproducible files.)
set -eu
root="$1" out="$2"

mkdir -p "$root/usr/share/porten"
dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Package}\t${Version}\t${Architecture}\n' \
  | LC_ALL=C sort > "$root/usr/share/porten/packages.tsv"
mkdir -p "$(dirname "$out")"
cp "$root/usr/share/porten/packages.tsv" "$out"

rm -f "$root/etc/hostname" "$root/etc/resolv.conf"
rm -f "$root"/var/lib/dpkg/*-old "$root"/var/cache/debconf/*-old
