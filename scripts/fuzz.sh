#!/bin/bash
# fuzz.sh [HOURS] [SEED]: the model fuzzer (tests/reliability/fuzz_test.c)
# for a long run on the debug kernel (KASAN, lockdep, kmemleak), then the
# stress run for a tenth of that time.  Default: 1 hour, seed from the clock.
# Progress every minute; a failure prints its seed and a shrunk reproducer.
#
#   scripts/fuzz.sh 8            eight hours
#   IOMMUFD_FUZZ_SEED=N ... reruns a seed: scripts/fuzz.sh 0.1 N
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
hours=${1:-1}
seed=${2:-$(date +%s)}
secs=$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')
stress=$((secs / 10 > 10 ? secs / 10 : 10))
echo "fuzz: $secs s with seed $seed, then stress for $stress s, on the debug kernel"
DEBUG_TIMEOUT=$((secs + stress + 900)) exec "$top/scripts/debug-check.sh" \
	"IOMMUFD_FUZZ_SEED=$seed IOMMUFD_FUZZ_SECONDS=$secs /tests/bin/reliability_fuzz; IOMMUFD_STRESS_SECONDS=$stress /tests/bin/reliability_stress"
