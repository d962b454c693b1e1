# swift-highlight-propagation: the two commands a new user needs are `make demo` and `make test`.
# Each works on a fresh Debian machine (as root, or with sudo): `deps` installs what is missing first.

SWIFT ?= swift
# Debug build shared by tests and the demo: built once, reused by every target below.
SWIFT_BUILD_FLAGS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := librdkafka-dev pkg-config kcat

.PHONY: all deps build test demo clean-build help

all: build

help:
	@echo "make deps   install librdkafka-dev, pkg-config and kcat when missing (apt)"
	@echo "make build  debug build of the package and its tests"
	@echo "make test   unit and integration tests (embedded librdkafka mock cluster)"
	@echo "make demo   the end-to-end demo on the embedded mock cluster"

deps:
	@missing=""; \
	pkg-config --exists rdkafka 2>/dev/null || missing="$$missing librdkafka-dev"; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	command -v kcat >/dev/null 2>&1 || missing="$$missing kcat"; \
	if [ -n "$$missing" ]; then \
		echo "==> installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	else \
		echo "==> dependencies present: librdkafka $$(pkg-config --modversion rdkafka), kcat, pkg-config"; \
	fi

build: deps
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)

test: build
	$(SWIFT) test --skip-build $(SWIFT_BUILD_FLAGS)

demo: build
	"$$($(SWIFT) build --show-bin-path $(SWIFT_BUILD_FLAGS))/hlkafka" demo
