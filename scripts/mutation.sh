#!/usr/bin/env bash
# Mutation testing of the money, auth and cache-key code (StrykerJS): each area
# must keep a mutation score of at least 85 % (stryker/base.mjs). Usage:
#   scripts/mutation.sh            every area
#   scripts/mutation.sh accounting one area (stryker/<area>.config.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
areas=("$@")
if [ ${#areas[@]} -eq 0 ]; then
  for f in stryker/*.config.mjs; do areas+=("$(basename "$f" .config.mjs)"); done
fi
for a in "${areas[@]}"; do
  echo "== mutation testing: $a"
  npx stryker run "stryker/$a.config.mjs"
done
