# Exhibit: two commands set everything up on a fresh Debian/Ubuntu machine:
#   make run    install what is missing, build, open the GUI on the default store
#   make test   install what is missing, then run every test (GUI under Xvfb,
#               keyring tests against gnome-keyring in a D-Bus session)
# make bench runs the benchmarks.
# make dist builds dist/exhibit_<version>_amd64.deb, the fyne package tarball
# and dist/SHA256SUMS; make dist-test also installs the .deb into a clean
# Debian 12 root (debootstrap) and runs it there (needs root and the Debian
# mirror; several minutes, so not part of make test).

export PATH := $(PATH):/usr/local/go/bin
export LC_NUMERIC := C
# -trimpath: cgo objects otherwise embed the checkout's absolute path, so a
# second clone (or CI's) would rebuild Fyne's C parts although the build
# cache holds them; it also keeps the build machine's paths out of the binary.
export GOFLAGS := -trimpath $(GOFLAGS)
GO      ?= go
TAGS    := migrated_fynedo
BIN     := bin/exhibit
SESSION := packaging/scripts/with-test-session.sh
# exhibit --version: the checkout's describe and commit (make dist computes
# the package version itself, see packaging/scripts/build-dist.sh).
LDFLAGS := -X exhibit/app.version=$(shell git describe --tags --always --dirty 2>/dev/null) \
           -X exhibit/app.commit=$(shell git rev-parse HEAD 2>/dev/null)

.PHONY: run test bench build deps check vet staticcheck errcheck fmt-check clean dist dist-deps dist-test

deps:
	@packaging/scripts/install-deps.sh

build: deps
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build
	./$(BIN)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet -tags $(TAGS) ./...

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags $(TAGS) ./...

# errcheck: every error is checked, or dropped on purpose (`_ =` with the
# reason beside it, or a rule in .errcheck-excludes). Not yet checked, and
# reported to their owners: app/media (probe.go, testmedia.go: a Close
# each) and the test files of ui and player.
ERRCHECK := $(GO) run github.com/kisielk/errcheck@v1.30.0 -tags $(TAGS) -exclude .errcheck-excludes

errcheck:
	$(ERRCHECK) . ./cli/... ./app ./store/...
	$(ERRCHECK) -ignoretests ./ui/... ./player/...

check: fmt-check vet staticcheck errcheck

test: deps check
	$(SESSION) $(GO) test -race -tags $(TAGS) -count=1 -timeout 40m ./...

bench: deps
	$(SESSION) packaging/scripts/bench.sh

dist-deps: deps
	@packaging/scripts/install-dist-deps.sh

dist: dist-deps
	packaging/scripts/build-dist.sh

dist-test: dist
	packaging/scripts/test-deb.sh

clean:
	rm -rf bin dist
