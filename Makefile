# NexClipper: `make run` starts the pipeline on 127.0.0.1, `make test` installs
# what the tests need on a Debian machine and runs every test.

GO          ?= go
BIN         := bin
TOOLS       ?= $(HOME)/.cache/nexclipper/bin
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(TOOLS)/staticcheck-$(STATICCHECK_VERSION)/staticcheck
# Prometheus 3.x, the remote-write 2.0 sender of the e2e tests (Debian ships 2.x).
PROM3_VERSION := v0.316.0
PROM3       := $(TOOLS)/prometheus-$(PROM3_VERSION)/prometheus
PROMTOOL3   := $(TOOLS)/promtool-$(PROM3_VERSION)/promtool
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH   ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
VPKG     := github.com/prometheus/common/version
LDFLAGS  := -s -w -X $(VPKG).Version=$(VERSION) -X $(VPKG).Revision=$(REVISION) -X $(VPKG).Branch=$(BRANCH) \
            -X $(VPKG).BuildUser=nexclipper -X $(VPKG).BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)

EXPORTER_ADDR ?= 127.0.0.1:9910
RECEIVER_ADDR ?= 127.0.0.1:9911
RUN_DIR       ?= .run

.PHONY: all build test lint deps deps-apt kubeapi plugin-deps plugin plugin-build plugin-test dashboards fuzz run bench-exporter bench-receiver bench-kube bench-tiers golden clean

all: build

build: $(BIN)/nexclipper-exporter $(BIN)/nexclipper-receiver $(BIN)/nexclipper-downsampler

$(BIN)/nexclipper-exporter: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./exporter/cmd/nexclipper-exporter

$(BIN)/nexclipper-receiver: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./receiver/cmd/nexclipper-receiver

$(BIN)/nexclipper-downsampler: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./downsampler/cmd/nexclipper-downsampler

FORCE:

## deps: what the tests use: Debian's prometheus (2.x server and promtool), Prometheus 3.x built from its
## module, kube-apiserver v1.37.2 + etcd v3.6.16 built from theirs (e2e/kubeapi), kustomize and helm
## from theirs, kubectl (Debian's kubernetes-client when none is installed), the plugin's npm packages.
deps: deps-apt $(PROM3) $(PROMTOOL3) $(KUSTOMIZE) $(HELM) kubeapi plugin-deps

## kubeapi: build the test kube-apiserver and etcd into $(TOOLS) unless cached (5-9 min cold).
kubeapi:
	NEXCLIPPER_TOOLS=$(TOOLS) bash e2e/kubeapi/kubeapi.sh build

## plugin-deps: install the Grafana app plugin's npm packages from its lock file (again only when it changes).
plugin-deps: grafana-plugin/node_modules/.package-lock.json

grafana-plugin/node_modules/.package-lock.json: grafana-plugin/package-lock.json
	cd grafana-plugin && npm ci --no-audit --no-fund --loglevel=error

PLUGIN_VERSION   := $(shell node -p "require('./grafana-plugin/package.json').version" 2>/dev/null || echo 0.0.0)
# Build info the SDK prints for `gpx_nexclipper_<os>_<arch> -buildinfo` (what mage's build sets).
PLUGIN_BUILDINFO := {\"time\":$(shell date +%s)000,\"pluginID\":\"nexclipper-observability-app\",\"version\":\"$(PLUGIN_VERSION)\"}
PLUGIN_LDFLAGS   := -w -s -X 'github.com/grafana/grafana-plugin-sdk-go/build/buildinfo.buildInfoJSON=$(PLUGIN_BUILDINFO)'
PLUGIN_ARCHS     := amd64 arm64

## plugin: build grafana-plugin/dist (frontend, dashboards, backend for linux/amd64 and linux/arm64),
## ready to drop into a Grafana plugins directory.
plugin: plugin-deps
	$(MAKE) plugin-build

plugin-build:
	cd grafana-plugin && npm run build
	for arch in $(PLUGIN_ARCHS); do \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -trimpath -tags arrow_json_stdlib -ldflags "$(PLUGIN_LDFLAGS)" \
			-o grafana-plugin/dist/gpx_nexclipper_linux_$$arch ./grafana-plugin/pkg || exit 1; \
	done

## dashboards: regenerate grafana-plugin/src/dashboards/*.json from dashboards/ (commit the result).
dashboards:
	$(GO) generate ./dashboards/

## plugin-test: typecheck, lint, jest, and the plugin build (frontend + backend binaries).
plugin-test: plugin-deps
	cd grafana-plugin && npm run typecheck && npm run lint && npm run test:ci
	$(MAKE) plugin-build

deps-apt:
	@command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus; }
	@command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || { echo "prometheus/promtool still missing after apt-get install prometheus" >&2; exit 1; }
	@command -v kubectl >/dev/null 2>&1 || { $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client; }

$(PROM3):
	@echo "building Prometheus $(PROM3_VERSION) into $(dir $@) (several minutes the first time)"
	GOBIN=$(dir $@) $(GO) install github.com/prometheus/prometheus/cmd/prometheus@$(PROM3_VERSION)

KUSTOMIZE   := $(TOOLS)/kustomize-v5.8.1/kustomize
HELM        := $(TOOLS)/helm-v3.22.0/helm
VM          := $(TOOLS)/victoria-metrics-v1.151.0/victoria-metrics
VMCTL       := $(TOOLS)/vmctl-v1.151.0/vmctl

$(PROMTOOL3):
	GOBIN=$(dir $@) $(GO) install github.com/prometheus/prometheus/cmd/promtool@$(PROM3_VERSION)

$(KUSTOMIZE):
	GOBIN=$(dir $@) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1

$(HELM):
	GOBIN=$(dir $@) $(GO) install helm.sh/helm/v3/cmd/helm@v3.22.0

$(VM):
	GOBIN=$(dir $@) $(GO) install github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics@v1.151.0

$(VMCTL):
	cd bench/vmctl && $(GO) build -o $@ github.com/VictoriaMetrics/VictoriaMetrics/app/vmctl

$(STATICCHECK):
	GOBIN=$(dir $@) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## lint: gofmt, go vet and staticcheck.
# vet's stdmethods check is off: it wants every Seek to be io.Seeker's, and
# Prometheus's chunkenc.Iterator, which the tier iterators implement, has
# Seek(int64) chunkenc.ValueType by design.
lint: $(STATICCHECK)
	@out=$$(find . -name '*.go' -not -path '*/node_modules/*' -not -path './.git/*' | xargs gofmt -l); if [ -n "$$out" ]; then echo "gofmt needed:" $$out >&2; exit 1; fi
	$(GO) vet -stdmethods=false ./...
	$(STATICCHECK) ./...

## test: everything CI runs.
test: deps lint build
	NEXCLIPPER_PROMETHEUS3=$(PROM3) NEXCLIPPER_PROMTOOL3=$(PROMTOOL3) NEXCLIPPER_KUSTOMIZE=$(KUSTOMIZE) NEXCLIPPER_HELM=$(HELM) $(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./exporter/collector/ ./exporter/node/ ./exporter/cgroup/ ./exporter/kube/ ./receiver/remotewrite/
	$(GO) test -count=1 -race -run 'TestQueriesDuringConcurrentPass|TestMiddleware' ./downsampler/tier/
	cd e2e/thanoscompat && $(GO) test -count=1 ./...
	$(MAKE) plugin-test
	$(MAKE) fuzz FUZZTIME=10s

## fuzz: run each remote-write decoder fuzz target for FUZZTIME (a long run: make fuzz FUZZTIME=30m).
FUZZTIME ?= 10s
fuzz:
	$(GO) test ./receiver/remotewrite -run '^$$' -fuzz '^FuzzRemoteWriteV1$$' -fuzztime $(FUZZTIME)
	$(GO) test ./receiver/remotewrite -run '^$$' -fuzz '^FuzzRemoteWriteV2$$' -fuzztime $(FUZZTIME)

## golden: rewrite the end-to-end golden files (review the diff before committing).
golden:
	$(GO) test ./exporter/cmd/nexclipper-exporter/ -run TestGolden -update

## run: build and start the pipeline on 127.0.0.1: the exporter, and the receiver scraping it.
run: build
	deploy/local/run.sh $(BIN) $(EXPORTER_ADDR) $(RECEIVER_ADDR) $(RUN_DIR)

## bench-exporter: ours against Debian's node_exporter, side by side.
bench-exporter: build
	bench/exporter.sh $(BIN)/nexclipper-exporter bench/results/exporter.md

## bench-receiver: ours against Prometheus 3.16 and VictoriaMetrics on the same remote-write load.
bench-receiver: build
	bench/receiver.sh $(BIN)/nexclipper-receiver bench/results/receiver.md

## bench-kube: cluster mode against a real kube-apiserver with 5,000 pods in 200 deployments; writes bench/results/kube.md.
bench-kube: build kubeapi
	bench/kube.sh $(BIN)/nexclipper-exporter bench/results/kube.md

## bench-tiers: 30 days of 1,000 series, downsampled: disk per tier, one-year cost, and a 30-day query
## on ours tiered and raw-only, Prometheus 3.16 on the same blocks and VictoriaMetrics with them imported.
bench-tiers: build $(PROM3) $(VM) $(VMCTL)
	$(GO) run ./bench/cmd/tierbench -receiver $(BIN)/nexclipper-receiver -downsampler $(BIN)/nexclipper-downsampler \
		-prometheus $(PROM3) -victoriametrics $(VM) -vmctl $(VMCTL) -out bench/results/tiers.md

clean:
	rm -rf $(BIN)
