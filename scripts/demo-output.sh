#!/usr/bin/env bash
# The signalling output for one gemeente, as far as the commands exist in this version.
set -euo pipefail
cd "$(dirname "$0")/.."
gemeente="$1"; out="$2"
vk=.venv/bin/veerkracht
if $vk --help | grep -q " signalen "; then $vk signalen "$gemeente" --van 2017 --tot 2019 --uit "$out"; fi
if $vk --help | grep -q " kaart "; then $vk kaart "$gemeente" --van 2017 --tot 2019 --uit "$out"; fi
if $vk --help | grep -q " rapport "; then $vk rapport "$gemeente" --van 2017 --tot 2019 --uit "$out"; fi
echo "Uitvoer staat in $out/"
