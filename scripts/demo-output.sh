#!/usr/bin/env bash
# The signalling output for one gemeente: tables, maps and the report, for the most
# recent period with data (the pipeline chooses it and says which).
set -euo pipefail
cd "$(dirname "$0")/.."
gemeente="$1"; out="$2"
vk=.venv/bin/veerkracht
$vk signalen "$gemeente" --uit "$out"
$vk kaart "$gemeente" --uit "$out"
$vk rapport "$gemeente" --uit "$out"
echo "Uitvoer staat in $out/"
