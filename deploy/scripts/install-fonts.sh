#!/usr/bin/env bash
# Installs what case packets need (issue 8): Debian's CJK fonts, so headless
# Chromium prints 案件材料 in Chinese instead of empty boxes, and
# poppler-utils (pdftotext, pdfimages), which the packet tests read the PDF
# back with, and openssl for verifying timestamp tokens. Idempotent: does nothing when both are already there.
set -euo pipefail

have_fonts() {
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed' && return 0
  command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -qi 'noto.*cjk' && return 0
  return 1
}
have_poppler() {
  command -v pdftotext >/dev/null 2>&1 && command -v pdfimages >/dev/null 2>&1
}
have_openssl() {
  command -v openssl >/dev/null 2>&1
}

pkgs=()
have_fonts || pkgs+=(fonts-noto-cjk)
have_poppler || pkgs+=(poppler-utils)
# openssl: the evidence tests check timestamp tokens with `openssl ts -verify`,
# as a court's expert would.
have_openssl || pkgs+=(openssl)
if [ ${#pkgs[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-fonts: no apt-get here; install ${pkgs[*]} (Noto CJK fonts, poppler's pdftotext) yourself" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-fonts: need root or sudo to apt-get install ${pkgs[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "installing ${pkgs[*]} (CJK fonts for case packets, pdftotext for their tests)..."
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt-get (install-chromium.sh run in parallel) rather than fail.
lock=(-o DPkg::Lock::Timeout=600)
"${as_root[@]}" apt-get "${lock[@]}" update -qq
"${as_root[@]}" apt-get "${lock[@]}" install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
if command -v fc-cache >/dev/null 2>&1; then
  "${as_root[@]}" fc-cache -f >/dev/null 2>&1 || true
fi
have_fonts || { echo "install-fonts: fonts-noto-cjk did not install" >&2; exit 1; }
have_poppler || { echo "install-fonts: poppler-utils did not install" >&2; exit 1; }
have_openssl || { echo "install-fonts: openssl did not install" >&2; exit 1; }
echo "installed ${pkgs[*]} ($(pdftotext -v 2>&1 | head -n1))"
