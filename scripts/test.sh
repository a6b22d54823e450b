#!/usr/bin/env bash
# Runs Harrier's test lanes and prints one closing line: "tests: N passed, N failed, N skipped".
# Lanes (HARRIER_TEST_LANES, default all): unit (no root), kernel (root, this kernel), vm (BPF LSM in qemu).
set -uo pipefail
cd "$(dirname "$0")/.."
lanes="${HARRIER_TEST_LANES:-unit kernel vm}"
config="${CONFIG:-Release}"
passed=0 failed=0 skipped=0 rc=0
log=$(mktemp)
summary=$(mktemp) # one line per failed test, repeated after the totals so the tail of a CI log names them

run_project() { # project [filter]
	local proj="$1"
	echo "== $proj"
	# The default console logger prints failed tests with their messages and one "Passed!/Failed! - Failed: N, Passed: N,
	# Skipped: N" line per test assembly; skipped tests are listed with their reasons.
	if ! dotnet test "$proj" -c "$config" --nologo -v quiet --logger "console;verbosity=minimal" 2>&1 | tee "$log" | grep -E '^\s+(Failed|Skipped) |Passed!|Failed!|error|Error Message|Assert' ; then :; fi
	local line
	line=$(grep -E '(Passed|Failed)! +- +Failed: ' "$log" | tail -1)
	if [ -z "$line" ]; then
		echo "   $proj: no test summary (build or run failure)"; tail -30 "$log"; failed=$((failed + 1)); rc=1; return
	fi
	local f p s
	f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line")
	p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line")
	s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		rc=1
		echo "---- failures in $proj"
		grep -E -A14 '^\s+Failed [A-Z]' "$log" | head -400
		# each failed test's name and the first lines of its message, so the tail of a CI log says why too
		awk -v p="$(basename "$proj" .csproj)" '
			/^[ \t]+Failed [A-Z]/ { name = $0; sub(/^[ \t]+/, "", name); print "  " p ": " name; want = 0; next }
			/^[ \t]+Error Message:/ { want = 3; next }
			/^[ \t]+Stack Trace:/ { want = 0; next }
			want > 0 { m = $0; sub(/^[ \t]+/, "", m); print "      " substr(m, 1, 400); want-- }
		' "$log" >>"$summary"
	fi
}

for lane in $lanes; do
	case "$lane" in
	unit)
		for p in tests/Harrier.*.Tests/*.csproj; do
			case "$p" in *Kernel.Tests*) continue ;; esac
			run_project "$p"
		done ;;
	kernel)
		if [ "$(id -u)" -ne 0 ]; then echo "kernel lane needs root: skipped"; continue; fi
		run_project tests/Harrier.Kernel.Tests/Harrier.Kernel.Tests.csproj ;;
	vm)
		if [ -x scripts/vm-test.sh ]; then
			# (tee to a temp file: opening /dev/stderr for writing would truncate a log file that stdout/stderr point at)
			vmlog=$(mktemp)
			scripts/vm-test.sh 2>&1 | tee "$vmlog"
			if out=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed' "$vmlog" | tail -1); [ -n "$out" ]; then
				p=$(sed -E 's/vm: ([0-9]+) passed.*/\1/' <<<"$out"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$out")
				passed=$((passed + p)); failed=$((failed + f)); [ "$f" -eq 0 ] || rc=1
				grep -E '^vm\[.*\] FAIL' "$vmlog" | sed 's/^/  /' >>"$summary"
			else
				echo "vm lane: no result line"; failed=$((failed + 1)); rc=1
			fi
			rm -f "$vmlog"
		fi ;;
	esac
done
rm -f "$log"
if [ -s "$summary" ]; then echo "failed tests:"; cat "$summary"; fi
rm -f "$summary"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $rc
