#!/usr/bin/env bash
# Builds libCacheSim's `cachesim` for `npm run bench:cache` (reference miss ratios on the
# benchmark's own traces). libCacheSim is C, not on npm: pass a checkout of
# github.com/1a1a11a/libCacheSim. Needs cmake, glib and zstd headers (apt installs them
# when run as root). The binary lands in bench/cache/.libcachesim/cachesim (git-ignored).
#   scripts/build-libcachesim.sh /path/to/libCacheSim
set -euo pipefail
source_dir="${1:?usage: scripts/build-libcachesim.sh /path/to/libCacheSim}"
cd "$(dirname "$0")/.."
out="$PWD/bench/cache/.libcachesim"

packages=(cmake libglib2.0-dev libzstd-dev)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "build-libcachesim.sh: missing ${missing[*]}; install them or run as root" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DENABLE_TESTS=OFF -DUSE_HUGEPAGE=OFF >/dev/null
cmake --build "$build" --target cachesim -j "$(nproc)" >/dev/null
mkdir -p "$out"
cp "$build/bin/cachesim" "$out/cachesim"
echo "built $out/cachesim"
