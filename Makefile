# CarDiag. `make demo` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
STRICT_FLAGS := -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error
CONFIG ?= debug

.PHONY: all build release demo test test-vm test-sanitizers fuzz fuzz-smoke bench docs system-packages python-peers clean

all: build

system-packages:
	@Tools/install-system-packages

build: system-packages
	$(SWIFT) build $(STRICT_FLAGS)

release: system-packages
	$(SWIFT) build -c release $(STRICT_FLAGS)

# The main job on a built-in default.
demo: release
	@Tools/demo

# Python can-isotp in .build/python-venv, for the ISO-TP cross-check tests.
python-peers:
	@Tools/python-peers/setup

# Every test tier. Tests run one at a time: the health-check tests run virtual ECUs on real time, and
# CPU-bound tests beside them would hold the cooperative pool long enough to fake timeouts.
test: system-packages python-peers
	$(SWIFT) build $(STRICT_FLAGS)
	$(SWIFT) package describe --type json > .build/package-description.json
	@Tools/extract-symbol-graphs
	@Tools/json-schema/setup || { [ "$$CI" != true ] && echo "make: no JSON Schema validator; schema tests skip" >&2; }
	$(SWIFT) test $(STRICT_FLAGS) --no-parallel
	@SWIFT="$(SWIFT)" Tools/run-examples
	@$(MAKE) --no-print-directory test-sanitizers
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory test-vm

# The whole suite again under AddressSanitizer and ThreadSanitizer, each in its own build folder, one test at a
# time: sanitized code is several times slower, and CPU-bound tests running in parallel hold the cooperative
# pool long enough to break the tests that run a health check on real time. Every test
# runs under both (those that run the cardiag binary get a sanitized binary too); LeakSanitizer is told to
# ignore two leaks inside the toolchain's XCTest and Foundation (Fuzz/lsan-suppressions.txt says which).
test-sanitizers: system-packages
	LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan-suppressions.txt \
		$(SWIFT) test --sanitize=address --scratch-path .build-asan --no-parallel
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan --no-parallel

# libFuzzer campaigns (Fuzz/run; a package of its own): FUZZ_SECONDS per harness, corpus seeded from Fixtures/.
# Findings go to Fuzz/.build/artifacts/<harness>/; the totals to Fuzz/.build/summary.txt.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_JOBS ?= 1
fuzz: system-packages
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run --jobs $(FUZZ_JOBS) $(HARNESSES)

# Every harness for a short run; fails on any crash, hang or out-of-memory.
fuzz-smoke: system-packages
	FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) Fuzz/run $(HARNESSES)

# The emulated-CAN tier: a real kernel CAN stack in a VM (Tools/vm/test; skips where it cannot run, fails under CI).
test-vm: system-packages
	@STRICT_FLAGS="$(STRICT_FLAGS)" Tools/vm/test

# The decode benchmark beside wc -l, cat and the Python reference pipeline, then the micro-benchmarks
# (Tools/bench; BENCH_FRAMES=1000000 for a quick run).
bench: system-packages
	@Tools/bench

# DocC for every library module, warnings as errors, into .build/docs/MODULE.doccarchive (Tools/build-docs).
docs: system-packages
	$(SWIFT) build $(STRICT_FLAGS)
	@Tools/build-docs

clean:
	rm -rf .build .build-asan .build-tsan Fuzz/.build
