#!/usr/bin/env bash
# Memory of a long consumption, without the mock cluster in the measured process: starts `hlkafka mock-cluster` as
# its own process, fills a topic once, then runs `hlkafka bench consume` for 1,000,000 messages per mode and run,
# and writes bench-results/memory.md. Resident memory is sampled at every 1% of the messages; growth after warm-up
# is from the median of the readings at 10-19% to that at 91-100%, and over the second half from 50-59%. The
# allocator's bytes in use (glibc mallinfo2) are sampled alongside: they tell live objects from memory glibc keeps.
#
# librdkafka's prefetch is bounded to 4 MB here (queued.max.messages.kbytes=4096, fetch.max.bytes=1048576): with its
# defaults (up to 64 MB prefetched, fetch responses up to 50 MB) single readings move by +-60 MB as fetch buffers come
# and go, far more than the 10 MB the measurement has to resolve. BENCH_MEMORY_PROPERTIES="" measures the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_MEMORY_RUNS:-3}
messages=${BENCH_MEMORY_MESSAGES:-1000000}
properties=${BENCH_MEMORY_PROPERTIES-queued.max.messages.kbytes=4096 fetch.max.bytes=1048576}
property_flags=()
for property in $properties; do property_flags+=(--consumer-property "$property"); done
bin=$(swift build -c release --show-bin-path)
mkdir -p bench-results
raw="bench-results/memory.jsonl"
: > "$raw"
log=$(mktemp)
# 400 partitions: the mock cluster keeps a few MB per partition, and the topic holds 30% more than is read, so the
# prefetch never reaches the topic's end.
"$bin/hlkafka" mock-cluster --topic memory:400 > "$log" 2>&1 &
cluster=$!
trap 'kill $cluster 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 50); do grep -q bootstrap.servers "$log" && break; sleep 0.1; done
servers=$(sed -n 's/^bootstrap.servers=//p' "$log")
echo "==> filling topic memory with $((messages * 13 / 10)) messages on $servers" >&2
"$bin/hlkafka" bench produce --bootstrap-servers "$servers" --topic memory --mode plain --messages $((messages * 13 / 10)) --value-bytes 100 >&2
for run in $(seq 1 "$runs"); do
  for mode in plain propagate traced; do
    echo "==> run $run/$runs: consume $messages, mode $mode" >&2
    "$bin/hlkafka" bench consume --bootstrap-servers "$servers" --topic memory --messages "$messages" --value-bytes 100 --mode "$mode" --heap-statistics "${property_flags[@]}" --json >> "$raw"
  done
done
python3 - "$raw" "$runs" "$messages" "${properties:-librdkafka defaults}" > bench-results/memory.md <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"Memory while consuming {int(sys.argv[3]):,} messages of 100 bytes (mock cluster in its own process; {sys.argv[4]}), {sys.argv[2]} runs, MB, one figure per run")
print()
print("| mode | resident growth after warm-up | over the second half | single readings after warm-up | allocator bytes in use, after warm-up | msg/s |")
print("|---|---|---|---|---|---|")
for mode in ("plain", "propagate", "traced"):
    mine = [r for r in rows if r["mode"] == mode]
    if not mine: continue
    def column(key):
        return " / ".join(f"{r[key]:+.1f}" for r in mine)
    def spread(r):
        readings = [x for x in r["residentReadingsMB"][10:] if x is not None]
        warm = sorted(x for x in r["residentReadingsMB"][10:20] if x is not None)[5]
        return f"{min(readings) - warm:+.0f}..{max(readings) - warm:+.0f}"
    rates = " / ".join(format(r["messagesPerSecond"], ",.0f") for r in mine)
    print(f"| {mode} | {column('residentGrowthMB')} | {column('residentGrowthSecondHalfMB')} | {' / '.join(spread(r) for r in mine)} | {column('heapGrowthMB')} | {rates} |")
PY
cat bench-results/memory.md
