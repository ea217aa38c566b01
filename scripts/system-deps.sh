#!/usr/bin/env bash
# Installs the Debian packages a group of tasks needs, only when some are missing.
#   scripts/system-deps.sh tex      TeX Live (pdfLaTeX, XeLaTeX, latexmk), fonts, pdftotext: for `make reports`
#   scripts/system-deps.sh browser  Debian's Chromium: for the browser tests
# As root it uses apt-get; otherwise it stops and names the packages to install.
set -euo pipefail

group=${1:?usage: scripts/system-deps.sh tex|browser}
case "$group" in
  tex) packages=(texlive-xetex texlive-latex-recommended tex-gyre texlive-latex-extra texlive-fonts-recommended latexmk lmodern fonts-freefont-otf poppler-utils) ;;
  browser) packages=(chromium) ;;
  *) echo "unknown group: $group" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "These Debian packages are missing and this is not a Debian/Ubuntu machine: ${missing[*]}" >&2
  echo "Install their equivalents with your package manager, then run make again." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
