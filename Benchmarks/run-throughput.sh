#!/usr/bin/env bash
# Runs `hlkafka bench` (release build) BENCH_RUNS times for produce and consume, and writes
# bench-results/throughput.md: min/median/max messages per second of raw C, plain Swift, traced (a span per
# message) and propagate (the traced wrappers with createSpans: false), and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
messages=${BENCH_MESSAGES:-200000}
bin=$(swift build -c release --show-bin-path)
mkdir -p bench-results
raw="bench-results/throughput.jsonl"
: > "$raw"
for run in $(seq 1 "$runs"); do
  for operation in produce consume; do
    echo "==> run $run/$runs: $operation $messages messages of 100 bytes" >&2
    "$bin/hlkafka" bench "$operation" --messages "$messages" --value-bytes 100 --json >> "$raw"
  done
done
python3 - "$raw" "$runs" "$messages" > bench-results/throughput.md <<'PY'
import json, statistics, sys, platform, os
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"Messages per second, {sys.argv[3]} messages of 100 bytes, embedded mock cluster, release build, {sys.argv[2]} runs")
print(f"({os.cpu_count()} cores, {platform.machine()}, {platform.platform()})\n")
# Memory is measured apart (Benchmarks/run-memory.sh): in these short runs the mock cluster shares the process.
# Producing, librdkafka copies in every mode; consuming, raw-copy is the raw C consumer copying what the Swift client copies.
print("| operation | mode | min | median | max | median vs raw C | vs raw C copying |")
print("|---|---|---:|---:|---:|---:|---:|")
for operation in ("produce", "consume"):
    medians = {}
    for mode in ("raw", "raw-copy", "plain", "traced", "propagate"):
        values = sorted(r["messagesPerSecond"] for r in rows if r["operation"] == operation and r["mode"] == mode)
        if not values: continue
        medians[mode] = statistics.median(values)
        ratio = f"{medians[mode] / medians['raw'] * 100:.1f}%" if "raw" in medians else "-"
        copying = f"{medians[mode] / medians['raw-copy'] * 100:.1f}%" if "raw-copy" in medians and mode != "raw" else "-"
        print(f"| {operation} | {mode} | {values[0]:,.0f} | {medians[mode]:,.0f} | {values[-1]:,.0f} | {ratio} | {copying} |")
PY
cat bench-results/throughput.md
