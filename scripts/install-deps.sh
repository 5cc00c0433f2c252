#!/usr/bin/env bash
# Installs the Debian packages acd needs that are missing, through sudo when not root.
# Usage: scripts/install-deps.sh [build|test|bench]  (each level includes the ones before)
set -euo pipefail
level=${1:-build}
pkgs=(build-essential cmake pkg-config libpcap-dev libhyperscan-dev libsqlite3-dev libpq-dev
      libmicrohttpd-dev libjansson-dev libsodium-dev nettle-dev libcmocka-dev
      libcurl4-openssl-dev)
if [ "$level" = test ] || [ "$level" = bench ]; then
  pkgs+=(clang libclang-rt-14-dev tshark nfdump python3 postgresql iproute2 sqlite3 openssl)
fi
if [ "$level" = bench ]; then
  pkgs+=(argus-server argus-client softflowd wrk hyperfine)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
# As root run apt-get directly; otherwise through sudo, keeping DEBIAN_FRONTEND (-E).
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo -E)
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${as_root[@]}" debconf-set-selections
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
