#!/usr/bin/env bash
# Runs `harrier bench enforce --json` inside a VM of the VM lane (scripts/vm-test.sh: Debian kernel with BPF LSM
# active, under qemu) so the LSM open/exec/connect paths are measured too, and prints the bench's JSON line.
#
# Usage: scripts/vm-bench.sh [BENCH ARGS...]   (default: --seconds 2 --kills 50; --json is always added)
# Environment: HARRIER_BIN (default build/harrier; must be a build that has `bench enforce`),
# HARRIER_VM_SERIES (default 6.12), HARRIER_VM_TIMEOUT (default 900 s) and the other vm-test.sh variables.
#
# The VM runs under qemu TCG (no KVM): absolute ns/op are emulation speed, far above real hardware. What carries over
# is whether each path loads and enforces, and the with/without ratios. Exit status: 0 when a JSON line came back.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
bin="${HARRIER_BIN:-$repo/build/harrier}"
series="${HARRIER_VM_SERIES:-6.12}"
[ -x "$bin" ] || { echo "vm-bench: $bin not found (make build, or set HARRIER_BIN)" >&2; exit 1; }
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
[ $# -gt 0 ] || set -- --seconds 2 --kills 50
args=$(printf '%q ' "$@")

out=$(HARRIER_VM_TIMEOUT="${HARRIER_VM_TIMEOUT:-900}" "$repo/scripts/vm-test.sh" --exec "$series" \
	"export DOTNET_ROOT='$dotnet_root'; cd '$repo' && '$bin' bench enforce --json $args; echo \"HARRIER-BENCH-EXIT \$?\"")
rc=$?
json=$(grep -E '^\{.*"cgroup_connect_ns_added"' <<<"$out" | tail -1)
if [ -z "$json" ]; then
	echo "vm-bench: no JSON line from the VM (qemu status $rc); console tail:" >&2
	tail -40 <<<"$out" | sed 's/^/    | /' >&2
	exit 1
fi
echo "$json"
