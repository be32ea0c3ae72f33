#!/bin/sh
# mmdebstrap hook: copyIn.sh ROOT SOURCE TARGET
# Copies SOURCE from the host to TARGET in the rootfs (root-owned, mode 0644, parent folders made),
# before the packages are installed, so that their maintainer scripts already see it.
set -eu
install -D -m 0644 "$2" "$1$3"
