#!/bin/bash
# setup.sh: what `make bench` needs beyond scripts/setup.sh: gnuplot (no
# X) for out/bench/ratios.png.  Idempotent: installs only what is missing.
set -euo pipefail

pkgs=(gnuplot-nox)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench: installing ${missing[*]} needs root" >&2
		exit 1
	fi
	echo "bench: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
