# NexClipper: `make run` starts the pipeline on 127.0.0.1, `make test` installs
# what the tests need on a Debian machine and runs every test.

GO          ?= go
BIN         := bin
TOOLS       ?= $(HOME)/.cache/nexclipper/bin
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(TOOLS)/staticcheck-$(STATICCHECK_VERSION)/staticcheck
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH   ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
VPKG     := github.com/prometheus/common/version
LDFLAGS  := -s -w -X $(VPKG).Version=$(VERSION) -X $(VPKG).Revision=$(REVISION) -X $(VPKG).Branch=$(BRANCH) \
            -X $(VPKG).BuildUser=nexclipper -X $(VPKG).BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)

EXPORTER_ADDR ?= 127.0.0.1:9910

.PHONY: all build test lint deps run bench-exporter golden clean

all: build

build: $(BIN)/nexclipper-exporter

$(BIN)/nexclipper-exporter: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./exporter/cmd/nexclipper-exporter

FORCE:

## deps: system packages the tests use (promtool from Debian's prometheus).
deps:
	@command -v promtool >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus; }
	@command -v promtool >/dev/null 2>&1 || { echo "promtool still missing after apt-get install prometheus" >&2; exit 1; }

$(STATICCHECK):
	GOBIN=$(dir $@) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## lint: gofmt, go vet and staticcheck.
lint: $(STATICCHECK)
	@out=$$(find . -name '*.go' -not -path '*/node_modules/*' -not -path './.git/*' | xargs gofmt -l); if [ -n "$$out" ]; then echo "gofmt needed:" $$out >&2; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

## test: everything CI runs.
test: deps lint build
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./exporter/collector/ ./exporter/node/ ./exporter/cgroup/

## golden: rewrite the end-to-end golden files (review the diff before committing).
golden:
	$(GO) test ./exporter/cmd/nexclipper-exporter/ -run TestGolden -update

## run: build and start the exporter on $(EXPORTER_ADDR) in the foreground.
run: build
	@echo "nexclipper-exporter: metrics at http://$(EXPORTER_ADDR)/metrics (Ctrl-C stops it)"
	$(BIN)/nexclipper-exporter --web.listen-address=$(EXPORTER_ADDR)

## bench-exporter: ours against Debian's node_exporter, side by side.
bench-exporter: build
	bench/exporter.sh $(BIN)/nexclipper-exporter bench/results/exporter.md

clean:
	rm -rf $(BIN)
