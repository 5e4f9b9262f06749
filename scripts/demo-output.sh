#!/usr/bin/env bash
# The signalling output for one gemeente: tables, maps and the report.
set -euo pipefail
cd "$(dirname "$0")/.."
gemeente="$1"; out="$2"
vk=.venv/bin/veerkracht
$vk signalen "$gemeente" --van 2017 --tot 2019 --uit "$out"
$vk kaart "$gemeente" --van 2017 --tot 2019 --uit "$out"
$vk rapport "$gemeente" --van 2017 --tot 2019 --uit "$out"
echo "Uitvoer staat in $out/"
