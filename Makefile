# CarDiag. `make demo` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
STRICT_FLAGS := -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error
CONFIG ?= debug

.PHONY: all build release demo test test-unit test-captures test-vm bench docs system-packages clean

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

# Every test tier.
test: system-packages
	$(SWIFT) build $(STRICT_FLAGS)
	$(SWIFT) package describe --type json > .build/package-description.json
	@Tools/extract-symbol-graphs
	@Tools/json-schema/setup || { [ "$$CI" != true ] && echo "make: no JSON Schema validator; schema tests skip" >&2; }
	$(SWIFT) test $(STRICT_FLAGS)
	@SWIFT="$(SWIFT)" Tools/run-examples
	@$(MAKE) --no-print-directory test-vm

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
	rm -rf .build
