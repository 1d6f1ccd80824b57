#!/usr/bin/env bash
# Fuzz every Fuzz* target in the module, one after another, each for
# FUZZTIME of real fuzzing, and print how many inputs each one ran.
#
# Why not `go test -fuzz X -fuzztime T`: T starts before the corpus is
# replayed for baseline coverage and includes the minimisation of every new
# input (up to 60s each by default), so a target with a grown corpus or many
# early finds spent its whole slot there and ran a handful of inputs. Here
# each package's test binary is built once with fuzzing instrumentation,
# minimisation is off (FUZZ_MINIMIZE=0; a crasher is written to testdata/fuzz
# as found, and `go test -run=FuzzX/<id> -fuzzminimizetime=30s` shrinks it),
# and the slot starts when the binary says "now fuzzing"; it ends with an
# interrupt, on which Go stops cleanly and prints the totals.
#
# The targets are listed by `go test -list '^Fuzz'`, so a new one is fuzzed
# without editing this file. Fails when a target crashes or ran fewer than
# FUZZ_MIN_EXECS new inputs (the replayed corpus not counted).
# Environment: GO (go), FUZZTIME (10s; seconds, or with s/m), FUZZ_MIN_EXECS
# (500: the slowest, crawl's extractors, run ~1,100 in 10s on a busy 2-CPU
# machine), FUZZ_MINIMIZE (0), FUZZ_PKGS (./...), FUZZ_RUN (regexp of target
# names; all), FUZZ_CAP (600: seconds a target may take in all, baseline
# included, before it is stopped and counted as failed).
set -euo pipefail
cd "$(dirname "$0")/../.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
MIN=${FUZZ_MIN_EXECS:-500}
MINIMIZE=${FUZZ_MINIMIZE:-0}
PKGS=${FUZZ_PKGS:-./...}
RUN=${FUZZ_RUN:-.}
CAP=${FUZZ_CAP:-600}

seconds() { # 10s, 2m, 90 → seconds
	case $1 in
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}
slot=$(seconds "$FUZZTIME")
cache=$("$GO" env GOCACHE)/fuzz # where `go test -fuzz` keeps its corpus

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Only packages whose tests mention a fuzz target are built for -list:
# building every test binary of the module would take longer than fuzzing.
targets=()
while read -r dir pkg; do
	grep -qs '^func Fuzz' "$dir"/*_test.go || continue
	while read -r name; do
		[[ $name == Fuzz* && $name =~ $RUN ]] && targets+=("$dir $pkg $name")
	done < <("$GO" test -vet=off -run '^$' -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
done < <("$GO" list -f '{{.Dir}} {{.ImportPath}}' $PKGS) # PKGS may list several
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no Fuzz targets in $PKGS matching $RUN" >&2
	exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${slot}s of fuzzing each, minimisation ${MINIMIZE}, at least ${MIN} new inputs each"

# fuzz_one DIR BINARY NAME OUT: runs one target; prints "BASELINE EXECS RC".
fuzz_one() {
	local dir=$1 bin=$2 name=$3 out=$4 pkg=$5
	(cd "$dir" && exec "$bin" -test.run '^$' -test.fuzz "^${name}\$" -test.fuzztime "${CAP}s" \
		-test.fuzzminimizetime "$MINIMIZE" -test.fuzzcachedir "$cache/$pkg" -test.timeout 0) >"$out" 2>&1 &
	local pid=$! waited=0 started=
	while kill -0 "$pid" 2>/dev/null && [[ $waited -lt $CAP ]]; do
		if [[ -z $started ]] && grep -qs 'now fuzzing' "$out"; then
			started=$waited
		fi
		if [[ -n $started && $((waited - started)) -ge $slot ]]; then
			break
		fi
		sleep 1
		waited=$((waited + 1))
	done
	kill -INT "$pid" 2>/dev/null || true
	local rc=0
	wait "$pid" || rc=$?
	if [[ -z $started ]] && [[ $rc -eq 0 ]] && ! grep -qs 'now fuzzing' "$out"; then
		rc=124 # stopped by the cap before fuzzing began
	fi
	local baseline execs
	baseline=$(grep -so '[0-9]*/[0-9]* completed, now fuzzing' "$out" | head -n 1 | cut -d/ -f1 || true)
	execs=$(grep -so 'execs: [0-9]*' "$out" | tail -n 1 | cut -d' ' -f2 || true)
	echo "${baseline:-0} ${execs:-0} $rc"
}

failed=0
summary=()
built=
for t in "${targets[@]}"; do
	read -r dir pkg name <<<"$t"
	bin="$work/${pkg//\//_}.test"
	if [[ $built != "$pkg" ]]; then
		"$GO" test -c -fuzz . -o "$bin" "$pkg"
		built=$pkg
	fi
	out="$work/$name.out"
	read -r baseline execs rc < <(fuzz_one "$dir" "$bin" "$name" "$out" "$pkg")
	# Go counts the replayed corpus among its execs.
	fresh=$((execs > baseline ? execs - baseline : 0))
	status=ok
	if [[ $rc -ne 0 ]]; then
		status="FAILED (exit $rc)"
		failed=1
		echo "--- $name ($pkg):"
		tail -n 40 "$out"
	elif [[ $fresh -lt $MIN ]]; then
		status="TOO FEW (<$MIN)"
		failed=1
		echo "--- $name ($pkg) ran $fresh new inputs:"
		tail -n 10 "$out"
	fi
	line=$(printf '%-26s %-24s %8s %10s  %s' "$name" "${pkg#github.com/markwatch/markwatch/}" "$baseline" "$fresh" "$status")
	echo "$line"
	summary+=("$line")
done

echo
printf '%-26s %-24s %8s %10s  %s\n' TARGET PACKAGE CORPUS EXECS STATUS
printf '%s\n' "${summary[@]}"
exit $failed
