#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# post-build.sh: DKMS keeps a build's log only when it fails; print the
# notes of dkms/build.sh (whether VFIO's source matches the kernel) where
# the user sees them, in DKMS's own output (on stderr, which DKMS
# passes through while it hides the build's stdout).
if [ -f build/notes ]; then
	sed 's/^/iommufd-dkms: /' build/notes >&2
fi
exit 0
