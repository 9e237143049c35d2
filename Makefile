# CarDiag. `make demo` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
STRICT_FLAGS := -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error
CONFIG ?= debug

.PHONY: all build release demo test test-unit test-captures bench system-packages python-peers clean

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

# Every test tier.
test: system-packages python-peers
	$(SWIFT) build $(STRICT_FLAGS)
	$(SWIFT) test $(STRICT_FLAGS)

clean:
	rm -rf .build
