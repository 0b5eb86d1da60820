#!/usr/bin/env bash
# Runs `trappe import departments` on each hostile file of scripts/hostile-files.py and
# prints, per file: exit code, wall time, peak memory, and the first line of the message.
# Every file must be refused (exit 1) in under 5 s and 300 MB.
#
#   cargo build --release -p trappe
#   bash scripts/hostile-check.sh [DIR]      # DIR defaults to /tmp/hostile
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/hostile}
bin=${TRAPPE_BIN:-target/release/trappe}
[ -x "$bin" ] || { echo "build first: cargo build --release -p trappe" >&2; exit 1; }
[ -d "$dir" ] || python3 scripts/hostile-files.py "$dir" >/dev/null
db=$(mktemp -d)/hostile.db
printf '%-20s %5s %8s %9s  %s\n' file exit seconds "peak MB" message
for f in "$dir"/*; do
  log=$(mktemp)
  set +e
  /usr/bin/time -f '%e %M' -o "$log.time" "$bin" --db "$db" import departments "$f" \
    --as-of 2024-03-01 --agreement copenhagen-2024 >/dev/null 2>"$log"
  code=$?
  set -e
  read -r secs kb < <(tail -1 "$log.time") || true
  msg=$(grep -v '^Command exited' "$log" | head -1 | cut -c1-110)
  printf '%-20s %5s %8s %9s  %s\n' "$(basename "$f")" "$code" "$secs" "$((kb / 1024))" "$msg"
  rm -f "$log" "$log.time"
done
echo "snapshots held afterwards: $("$bin" --db "$db" snapshots | wc -l)"
