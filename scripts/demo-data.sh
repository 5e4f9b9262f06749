#!/usr/bin/env bash
# The demo's data: ../shared/data when it is there; otherwise the demo gemeente is
# fetched from CBS, PDOK and the Leefbaarometer; without either, say what to do.
set -uo pipefail
cd "$(dirname "$0")/.."
shared="$1"; gemeente="$2"
vk=${VEERKRACHT:-.venv/bin/veerkracht}
if [ -d "$shared" ]; then
    # exit code 3: a file was refused or not recognised (listed in the table); go on
    $vk data importeren "$shared"
    status=$?
    [ "$status" -eq 0 ] || [ "$status" -eq 3 ] || exit "$status"
    exit 0
fi
echo "Geen open data in $shared: $gemeente wordt opgehaald bij CBS, PDOK en de Leefbaarometer."
$vk data ophalen --gemeente "$gemeente" --jaren 2017,2019
status=$?
# exit code 3: something asked for did not arrive (listed above); the rest is usable
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    echo "Ophalen lukte niet, en $shared bestaat niet. Doe een van beide:" >&2
    echo "  - zet de open data in $shared, of geef de map op: make demo SHARED=/pad/naar/data" >&2
    echo "  - zorg voor een internetverbinding en start opnieuw: make demo" >&2
    exit 1
fi
