#!/bin/sh
# mmdebstrap hook: addSystemUser.sh ROOT NAME ID HOME SHELL
# Adds group NAME (gid ID) and user NAME (uid ID) to the rootfs at ROOT by editing its files from the
# host, so it works before any package is configured and in rootfs without a shell or passwd tools.
# Runs before the image's packages are installed so that their maintainer scripts (adduser --system)
# find the user and keep its fixed id: compose files and volume ownership rely on that id.
# Creates /etc/passwd and /etc/group with root and nobody when absent (extract-variant rootfs), and
# HOME owned by the user (mode 0750) when absent: images declare it as a VOLUME, and a new named
# volume takes the ownership of the folder it is mounted over.
set -eu
root="$1" name="$2" id="$3" home="$4" shell="$5"

mkdir -p "$root/etc"
if [ ! -e "$root/etc/passwd" ]; then
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
fi
if grep -q "^$name:" "$root/etc/passwd"; then
  echo "addSystemUser: user $name already exists in the rootfs; refusing to change its id" >&2
  exit 1
fi
printf '%s:x:%s:\n' "$name" "$id" >> "$root/etc/group"
printf '%s:x:%s:%s:%s:%s:%s\n' "$name" "$id" "$id" "$name" "$home" "$shell" >> "$root/etc/passwd"
if [ -e "$root/etc/shadow" ]; then
  printf '%s:*:19000:0:99999:7:::\n' "$name" >> "$root/etc/shadow"
  printf '%s:*::\n' "$name" >> "$root/etc/gshadow"
fi
if [ ! -e "$root$home" ]; then
  mkdir -p "$root$home"
  chown "$id:$id" "$root$home"
  chmod 0750 "$root$home"
fi
