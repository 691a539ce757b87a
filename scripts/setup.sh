#!/usr/bin/env bash
# Installs what a fresh Debian 12 + Node 20 machine needs to build and test phasekit:
# clang + lld + wasi-libc (+ the wasm32 compiler-rt) for the WebAssembly kernel,
# Debian's Chromium for the real-browser tests, Debian's redis-server for the Redis tier's
# tests (they start their own servers on free loopback ports), libvulkan1 for WebGPU in Node
# (Dawn, the optional `webgpu` package; without a GPU it runs on the SwiftShader Vulkan driver
# that Chromium ships), then the npm dependencies.
# Idempotent and non-interactive: apt runs only for packages that are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

packages=(clang lld wasi-libc libclang-rt-14-dev-wasm32 chromium redis-server libvulkan1)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=()
  elif command -v sudo >/dev/null 2>&1; then sudo=(sudo -E)
  else echo "setup.sh: missing ${missing[*]}; run as root or install sudo" >&2; exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "setup.sh: system packages already installed"
fi

node -e 'const [a, b] = process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error(`setup.sh: Node ${process.versions.node} is too old; phasekit needs Node >= 20.19`); process.exit(1); }'
npm ci --no-audit --no-fund
