#!/usr/bin/env bash
# Installs every Debian 12 package Rampart needs to build, test, demo and
# benchmark. Idempotent: installs only what is missing, so a second run is
# quick and offline-safe once everything is present.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build clang
  dpdk dpdk-dev libdpdk-dev libpcap-dev
  libhyperscan-dev libpcre2-dev
  libboost-dev libfmt-dev libyaml-cpp-dev nlohmann-json3-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libgtest-dev libgmock-dev
  python3 python3-scapy python3-yaml python3-grpcio python3-protobuf openssl
  iproute2 ethtool curl netcat-openbsd tcpdump procps
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
