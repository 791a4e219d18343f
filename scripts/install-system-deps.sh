#!/usr/bin/env bash
# Debian packages the build needs: the TeX set for the PDF (xelatex), poppler for
# rendering PDF pages in tests, Chromium for the browser tests. Installs only what is missing.
set -euo pipefail
need=()
command -v xelatex >/dev/null || need+=(texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended)
command -v latexmk >/dev/null || need+=(latexmk)
[ -f /usr/share/fonts/opentype/freefont/FreeSerif.otf ] || need+=(fonts-freefont-otf)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v chromium >/dev/null || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]}" >&2
  echo "Install them as root: apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
