#!/usr/bin/env bash
# Every scenario of docs/performance.md in one sitting, one after another
# (never two at once: each pins its server to CPU 0 and its load to CPU 1).
# Each script writes its own JSON to bench/results/; this keeps their
# tables in bench/results/all-<date>.log. About 35 minutes.
#
#   bash bench/all.sh            # everything
#   QUICK=1 bash bench/all.sh    # fewer rounds, 5,000 idle connections, 5 s idle: about 12 minutes
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
log="bench/results/all-$(date -u +%Y-%m-%dT%H-%M-%S).log"
rounds=3; conns=5000,10000; idle=30
if [ -n "${QUICK:-}" ]; then rounds=2; conns=5000; idle=5; fi
run() {
  echo "### $*" | tee -a "$log"
  "$@" 2>&1 | tee -a "$log"
  echo | tee -a "$log"
}
run npx tsx bench/echo.ts --workload small,large,rtt --rounds "$rounds"
run npx tsx bench/runtime-echo.ts --workload small,large,rtt --rounds 2
run npx tsx bench/handshake.ts --rounds "$rounds"
run npx tsx bench/idle-memory.ts --conns "$conns" --idle "$idle"
run npx tsx bench/fanout.ts --rounds 10
run npx tsx bench/fanout.ts --rounds 3 --burst 10
run npx tsx bench/fanout.ts --rounds 3 --deflate
run npx tsx bench/fanout-redis.ts
echo "tables kept in $log"
