#!/bin/bash
# demo.sh: the main job.  Boots the stock Debian 6.12 kernel under QEMU with
# an emulated Intel VT-d IOMMU, loads iommufd.ko and runs the demo program,
# which says what it does and whether it behaved as expected.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$(cat "${OUT:-$top/out}/kver")

echo "Booting Linux $kver in QEMU (TCG) with an emulated Intel VT-d IOMMU..."
"$top/vm/run.sh" --name demo -- /demo/iommufd-demo
rc=$?
if [ $rc -eq 0 ]; then
	echo "The VM powered off cleanly: module loaded and unloaded, kernel log clean."
else
	echo "The VM run reported a problem (exit $rc); see the lines above."
fi
exit $rc
