#!/usr/bin/env bash
# Installs whatever Harrier's build and tests need and is missing, on Debian 12, as root. Idempotent.
# The .NET 10 SDK is assumed present (dotnet on PATH).
set -euo pipefail

need_pkgs=()
want() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || need_pkgs+=("$1"); }

# BPF toolchain: clang compiles the probes, bpftool generates vmlinux.h, libbpf1 is loaded at run time.
for p in clang llvm libbpf-dev libbpf1 bpftool libelf-dev zlib1g-dev make pkg-config python3 coreutils findutils; do want "$p"; done
# Extra lanes add their packages here (VM lane: qemu, busybox; Kafka tests: kcat).
for p in ${HARRIER_EXTRA_PKGS:-}; do want "$p"; done

if [ "${#need_pkgs[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "harrier: missing packages ${need_pkgs[*]}; run as root (apt-get install needs it)" >&2
		exit 1
	fi
	echo "deps: installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
	echo "harrier: the .NET 10 SDK is required (dotnet on PATH); see README" >&2
	exit 1
fi

# Kernel pseudo file systems Harrier uses; mount them where missing (harmless when already there).
if [ "$(id -u)" -eq 0 ]; then
	mountpoint -q /sys/fs/bpf 2>/dev/null || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
	mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
	mountpoint -q /sys/kernel/security 2>/dev/null || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || true
fi
