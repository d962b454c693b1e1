#!/usr/bin/env bash
# Runs `hlkafka bench` (release build) BENCH_RUNS times for produce and consume, and writes
# bench-results/throughput.md: min/median/max messages per second of raw C, plain Swift, propagate (the traced
# wrappers with createSpans: false), traced (a span per message, this package's tracer), traced-export (the same,
# every span sent over OTLP/HTTP to a receiver in the process), traced-otel (swift-otel's tracer), and the Python
# peer (confluent-kafka with OpenTelemetry's instrumentation, one run), with the ratios to raw C and to plain.
# Producing, raw-headers and plain-headers send the four headers the wrapper writes without any tracing work: what
# carrying them costs librdkafka; "vs plain, same headers" compares with plain-headers (consuming, every mode reads
# the same messages, so with plain).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
messages=${BENCH_MESSAGES:-200000}
bin=${BENCH_BIN:-$(swift build -c release --show-bin-path)}
mkdir -p bench-results
raw="bench-results/throughput.jsonl"
: > "$raw"
for run in $(seq 1 "$runs"); do
  for operation in produce consume; do
    echo "==> run $run/$runs: $operation $messages messages of 100 bytes" >&2
    "$bin/hlkafka" bench "$operation" --messages "$messages" --value-bytes 100 --json >> "$raw"
    "$bin/hlkafka" bench "$operation" --messages "$messages" --value-bytes 100 --json --mode traced --export >> "$raw"
    "$bin/hlkafka" bench "$operation" --messages "$messages" --value-bytes 100 --json --mode traced --tracer otel >> "$raw"
  done
done

# The Python peer, once: a venv under the bench scratch folder, the mock cluster in its own process.
venv=.build-bench/python-peer
if ! "$venv/bin/python" -c "import confluent_kafka, opentelemetry.instrumentation.confluent_kafka" 2>/dev/null; then
  echo "==> creating $venv (confluent-kafka, opentelemetry-instrumentation-confluent-kafka)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check confluent-kafka opentelemetry-sdk opentelemetry-instrumentation-confluent-kafka
fi
partitions=$(( messages * 300 / 2000000 + 4 ))
cluster_out=$(mktemp)
"$bin/hlkafka" mock-cluster --brokers 1 --topic "python-peer:$partitions" > "$cluster_out" &
cluster=$!
trap 'kill $cluster 2>/dev/null || true; rm -f "$cluster_out"' EXIT
for _ in $(seq 1 100); do grep -q '^bootstrap.servers=' "$cluster_out" && break; sleep 0.1; done
servers=$(sed -n 's/^bootstrap.servers=//p' "$cluster_out" | head -1)
echo "==> Python peer: produce and consume $messages messages on $servers" >&2
"$venv/bin/python" Benchmarks/PythonPeer/peer.py "$servers" python-peer "$messages" >> "$raw"

python3 - "$raw" "$runs" "$messages" > bench-results/throughput.md <<'PY'
import json, statistics, sys, platform, os
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"Messages per second, {sys.argv[3]} messages of 100 bytes, embedded mock cluster, release build, {sys.argv[2]} runs (Python peer: 1 run, mock cluster in its own process)")
print(f"({os.cpu_count()} cores, {platform.machine()}, {platform.platform()})\n")
# Memory is measured apart (Benchmarks/run-memory.sh): in these short runs the mock cluster shares the process.
# Producing, librdkafka copies in every mode; consuming, raw-copy is the raw C consumer copying what the Swift client copies.
print("| operation | mode | min | median | max | vs raw C | vs raw C copying | vs plain | vs plain, same headers | vs Python peer |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for operation in ("produce", "consume"):
    medians = {}
    same_headers = "plain-headers" if operation == "produce" else "plain"
    for mode in ("raw", "raw-headers", "raw-copy", "plain", "plain-headers", "propagate", "traced", "traced-export", "traced-otel", "python-otel"):
        values = sorted(r["messagesPerSecond"] for r in rows if r["operation"] == operation and r["mode"] == mode)
        if values: medians[mode] = statistics.median(values)
    for mode, median in medians.items():
        values = sorted(r["messagesPerSecond"] for r in rows if r["operation"] == operation and r["mode"] == mode)
        def ratio(base):
            return f"{median / medians[base] * 100:.1f}%" if base in medians and base != mode else "-"
        python = f"{median / medians['python-otel']:.1f}x" if "python-otel" in medians and mode != "python-otel" else "-"
        same = ratio(same_headers) if mode not in ("raw", "raw-headers", "raw-copy", "plain") else "-"
        print(f"| {operation} | {mode} | {values[0]:,.0f} | {median:,.0f} | {values[-1]:,.0f} | {ratio('raw')} | {ratio('raw-copy')} | {ratio('plain')} | {same} | {python} |")
# A rate reached while the exporter's queue refused spans is not one the exporter keeps up with: say how many.
print()
for operation in ("produce", "consume"):
    dropped = sorted(r["spansDropped"] for r in rows if r["operation"] == operation and "spansDropped" in r)
    if dropped:
        print(f"traced-export {operation}: spans dropped per run (of {sys.argv[3]}): min {dropped[0]:,}, median {statistics.median(dropped):,.0f}, max {dropped[-1]:,}")
PY
cat bench-results/throughput.md
