# swift-highlight-propagation: the two commands a new user needs are `make demo` and `make test`.
# Each works on a fresh Debian machine (as root, or with sudo): `deps` installs what is missing first.

SWIFT ?= swift
# Debug build shared by tests and the demo: built once, reused by every target below.
SWIFT_BUILD_FLAGS ?=
VENV := .build-venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# chromium: the demo page's test drives a real headless browser.
APT_PACKAGES := librdkafka-dev libdeflate-dev pkg-config kcat chromium

.PHONY: all deps build test docs demo bench bench-memory bench-thresholds soak fuzz sanitize help

all: build

help:
	@echo "make deps   install librdkafka-dev, libdeflate-dev, pkg-config, kcat and chromium when missing (apt)"
	@echo "make build  debug build of the package and its tests"
	@echo "make test   unit and integration tests (embedded librdkafka mock cluster), then make docs"
	@echo "make docs   the documentation of every product as a static site in .build/docs (DocC warnings fail it)"
	@echo "make demo   the end-to-end demo on the embedded mock cluster"
	@echo "make bench  release build; raw C vs plain vs traced throughput, memory over 2,000,000 messages, micro-benchmarks (writes bench-results/)"
	@echo "make soak   the long variants of the reliability scenarios"
	@echo "make sanitize  every test under ThreadSanitizer, then AddressSanitizer with LeakSanitizer (.ci/run runs it after make test)"
	@echo "make fuzz   1,000,000 generated values through every extractor, then libFuzzer for FUZZ_SECONDS (default 60)"

deps:
	@missing=""; \
	pkg-config --exists rdkafka 2>/dev/null || missing="$$missing librdkafka-dev"; \
	pkg-config --exists libdeflate 2>/dev/null || missing="$$missing libdeflate-dev"; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	command -v kcat >/dev/null 2>&1 || missing="$$missing kcat"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "==> installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	else \
		echo "==> dependencies present: librdkafka $$(pkg-config --modversion rdkafka), kcat, pkg-config, chromium"; \
	fi
	@# The official OTLP definitions (PyPI's opentelemetry-proto), with which the tests decode what the exporter sends.
	@if ! $(VENV)/bin/python -c "import opentelemetry.proto" 2>/dev/null; then \
		echo "==> creating $(VENV) with opentelemetry-proto (the tests decode OTLP with it)"; \
		command -v python3 >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3; }; \
		python3 -m venv $(VENV) 2>/dev/null || { $(SUDO) apt-get install -y -qq python3-venv && python3 -m venv $(VENV); }; \
		$(VENV)/bin/pip install -q --disable-pip-version-check opentelemetry-proto; \
	fi

# Every module a target imports must be one it declares (a missing declaration fails the build).
build: deps
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error $(SWIFT_BUILD_FLAGS)

# HIGHLIGHT_REQUIRE_BROWSER: the demo page's browser test fails instead of being skipped when chromium is missing.
# Every test, then the documentation build: a DocC warning (a symbol link that does not resolve) fails it too.
test: build
	HIGHLIGHT_REQUIRE_BROWSER=1 $(SWIFT) test --skip-build $(SWIFT_BUILD_FLAGS)
	$(MAKE) --no-print-directory docs

# The documentation of every library product, combined into one static site under .build/docs, with DocC's warnings
# (a symbol link that does not resolve, a missing article) as errors.
DOC_TARGETS := HighlightPropagation HighlightKafkaClient HighlightKafka HighlightKafkaTesting HighlightTracing Highlight \
	HighlightHummingbird HighlightVapor HighlightAsyncHTTPClient HighlightGRPC
docs: build
	python3 Tests/DocumentationAudit/audit-public-docs.py
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation \
		$(foreach target,$(DOC_TARGETS),--target $(target)) --enable-experimental-combined-documentation \
		--output-path .build/docs --warnings-as-errors

demo: build
	"$$($(SWIFT) build --show-bin-path $(SWIFT_BUILD_FLAGS))/hlkafka" demo

soak: build
	SOAK=1 $(SWIFT) test --skip-build $(SWIFT_BUILD_FLAGS) --filter "RebalanceTests|AllBrokersDownTests|InjectedBrokerErrorTests|SignalTests"

# The tests under ThreadSanitizer, then AddressSanitizer (LeakSanitizer included), each in a scratch path of its own
# so the debug build stays warm. swift-otel 1.6 does not compile under ThreadSanitizer ("sending 'logger' risks
# causing data races"): both runs build without it (Package.swift reads HIGHLIGHT_WITHOUT_SWIFT_OTEL), which leaves out
# `hlkafka bench --tracer otel` and the swift-otel composition test, and nothing else.
# The ThreadSanitizer build also sets HIGHLIGHT_THREAD_SANITIZER (locks the sanitizer can see: Locked.swift), and its
# test run preloads Tests/Sanitizers/ThreadSanitizerC11Threads.c, which routes librdkafka's C11 threads, mutexes and
# conditions through the pthread calls the sanitizer intercepts (why: that file's header).
# Sanitized processes run several times slower: every process of the run gets 30 s, not 5, to flush its telemetry at
# shutdown (HIGHLIGHT_SHUTDOWN_TIMEOUT; the tests that need the 5 s wait to run out set it back for their child).
# SWIFT_BACKTRACE=enable=no: a process that crashes under AddressSanitizer ends at once. With Swift's backtracer on,
# one that aborted (librdkafka 2.0.2's assertion in rd_kafka_cgrp_terminated, closing a consumer during a rebalance)
# hung while the backtracer failed to suspend its threads, and the run waited for it until CI's time limit; the
# sanitizers print their own reports.
SANITIZE_ENV := HIGHLIGHT_WITHOUT_SWIFT_OTEL=1 HIGHLIGHT_SHUTDOWN_TIMEOUT=30000 SWIFT_BACKTRACE=enable=no
TSAN_ENV := $(SANITIZE_ENV) HIGHLIGHT_THREAD_SANITIZER=1
TSAN_PRELOAD := .build-tsan/libc11threads-tsan.so
# Every process of a run (the test bundle and the hlkafka children it starts) writes its reports to a file under
# the run's reports folder, so a report in a child whose output a test discards still fails `make sanitize`.
TSAN_REPORTS := .build-tsan/reports
ASAN_REPORTS := .build-asan/reports
sanitize: deps
	@echo "make sanitize: built without swift-otel, which does not compile under ThreadSanitizer (swift-otel 1.6:"
	@echo "  OTelBatchLogRecordProcessor.swift: sending 'logger' risks causing data races); left out of both runs:"
	@echo "  hlkafka bench --tracer otel and SwiftOTelAlternativeTests. Everything else runs."
	$(TSAN_ENV) $(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	clang -shared -fPIC -O2 -Wall -o $(TSAN_PRELOAD) Tests/Sanitizers/ThreadSanitizerC11Threads.c
	rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	LD_PRELOAD=$(CURDIR)/$(TSAN_PRELOAD) $(TSAN_ENV) TSAN_OPTIONS="halt_on_error=0 log_path=$(CURDIR)/$(TSAN_REPORTS)/tsan suppressions=$(CURDIR)/Tests/Sanitizers/ThreadSanitizer.supp" \
		$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan
	@if [ -n "$$(ls $(TSAN_REPORTS))" ]; then cat $(TSAN_REPORTS)/*; echo "ThreadSanitizer reports above"; exit 1; fi
	@echo "ThreadSanitizer: 0 reports"
	$(SANITIZE_ENV) $(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	rm -rf $(ASAN_REPORTS) && mkdir -p $(ASAN_REPORTS)
	$(SANITIZE_ENV) ASAN_OPTIONS="detect_leaks=1 log_path=$(CURDIR)/$(ASAN_REPORTS)/asan" \
		LSAN_OPTIONS="suppressions=$(CURDIR)/Tests/Sanitizers/LeakSanitizer.supp print_suppressions=1" \
		$(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan
	@if grep -l "ERROR: \(AddressSanitizer\|LeakSanitizer\)" $(ASAN_REPORTS)/* 2>/dev/null; then cat $(ASAN_REPORTS)/*; echo "AddressSanitizer reports above"; exit 1; fi
	@echo "AddressSanitizer: 0 errors, 0 unsuppressed leaks"

FUZZ_SECONDS ?= 60
# The 1,000,000-value property run is built in release: in debug it takes well over half an hour.
fuzz: deps
	$(SWIFT) build -c release --build-tests
	FUZZ_COUNT=1000000 $(SWIFT) test -c release --skip-build --filter PropagationPropertyTests
	# lld: Debian's gold crashes (internal error) linking the instrumented binary.
	cd Fuzz && $(SWIFT) build --scratch-path ../.build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
	mkdir -p .build-fuzz/corpus
	.build-fuzz/debug/PropagationFuzzer -max_total_time=$(FUZZ_SECONDS) .build-fuzz/corpus

BENCH_MESSAGES ?= 200000
BENCH_RUNS ?= 5
bench: deps
	$(SWIFT) build -c release --product hlkafka
	$(SWIFT) build -c release --product hlkafka-raw-baseline
	BENCH_MESSAGES=$(BENCH_MESSAGES) BENCH_RUNS=$(BENCH_RUNS) ./Benchmarks/run-throughput.sh
	./Benchmarks/run-memory.sh
	cd Benchmarks && $(SWIFT) package --scratch-path ../.build-bench benchmark --no-progress --scale
	# Fails when a micro-benchmark moves past Benchmarks/Thresholds (mallocs ±5%, wall time ±100%).
	cd Benchmarks && $(SWIFT) package --scratch-path ../.build-bench benchmark thresholds check --no-progress

# Resident memory over a long consumption (the mock cluster in its own process); writes bench-results/memory.md.
bench-memory: deps
	$(SWIFT) build -c release --product hlkafka
	./Benchmarks/run-memory.sh

# After an intended change in cost: record new thresholds (commit Benchmarks/Thresholds).
bench-thresholds:
	cd Benchmarks && $(SWIFT) package --scratch-path ../.build-bench --allow-writing-to-package-directory benchmark thresholds update --no-progress
