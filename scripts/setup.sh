#!/usr/bin/env bash
# Installs the system packages HoloMesh's build and tests need (idempotent).
set -euo pipefail

need=()
for pkg in pkg-config build-essential cmake clang libclang-dev libasound2-dev espeak-ng sox chromium python3-aiosmtpd; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
