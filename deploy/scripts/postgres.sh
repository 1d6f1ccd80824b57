#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs (initdb, pg_ctl, postgres) are on
# this machine, for the tests that run a throwaway cluster (internal/pgtest),
# and prints the directory holding them on stdout. Debian keeps them in
# /usr/lib/postgresql/<major>/bin, off PATH; pgtest looks there itself, so
# the output is for people and for MARKWATCH_PG_BIN=$(deploy/scripts/postgres.sh).
#
# Idempotent and quick when they are there. When missing, installs Debian's
# postgresql with apt-get, non-interactively: as root, or through sudo when
# it needs no password; otherwise says what to install. MARKWATCH_PG_BIN,
# when set, is the only directory accepted: a wrong one fails, it is never
# papered over by installing another version.
set -euo pipefail

needed=(initdb pg_ctl postgres)

complete() { # DIR holds every needed program
  local p
  for p in "${needed[@]}"; do
    [ -f "$1/$p" ] && [ -x "$1/$p" ] || return 1
  done
}

find_bin() { # prints the first complete directory: PATH's initdb (its symlink followed), then Debian's, newest major first
  local p d
  if p=$(command -v initdb 2>/dev/null); then
    for d in "$(dirname "$(readlink -f "$p")")" "$(dirname "$p")"; do
      if complete "$d"; then echo "$d"; return 0; fi
    done
  fi
  while IFS= read -r d; do
    if complete "$d"; then echo "$d"; return 0; fi
  done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V -r)
  return 1
}

if [ -n "${MARKWATCH_PG_BIN:-}" ]; then
  if complete "$MARKWATCH_PG_BIN"; then
    echo "$MARKWATCH_PG_BIN"
    exit 0
  fi
  echo "postgres.sh: MARKWATCH_PG_BIN=$MARKWATCH_PG_BIN lacks one of ${needed[*]}; point it at the directory holding them, or unset it to use Debian's" >&2
  exit 1
fi
if bin=$(find_bin); then
  echo "$bin"
  exit 0
fi

hint="install Debian's postgresql package (apt-get install postgresql), or set MARKWATCH_PG_BIN to a directory holding ${needed[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "postgres.sh: PostgreSQL's server programs (${needed[*]}) are missing and there is no apt-get here; install PostgreSQL and set MARKWATCH_PG_BIN to the directory holding them" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "postgres.sh: PostgreSQL's server programs (${needed[*]}) are missing and installing them needs root: $hint" >&2
    exit 1
  fi
fi
echo "installing Debian's postgresql (throwaway clusters for the tests)..." >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt-get (install-chromium.sh, install-fonts.sh) rather than fail.
lock=(-o DPkg::Lock::Timeout=600)
"${as_root[@]}" apt-get "${lock[@]}" update -qq
"${as_root[@]}" apt-get "${lock[@]}" install -y -qq --no-install-recommends postgresql >/dev/null
if ! bin=$(find_bin); then
  echo "postgres.sh: apt-get installed postgresql but ${needed[*]} are still not in /usr/lib/postgresql/*/bin; $hint" >&2
  exit 1
fi
echo "installed $("$bin/postgres" --version) in $bin" >&2
echo "$bin"
