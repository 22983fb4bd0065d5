# swiftlet — see README.md.
GO    ?= go
BIN   ?= bin/swiftlet
DATA  ?= ./data

.PHONY: build run test bench lint clean

build:
	$(GO) build -o $(BIN) ./cmd/swiftlet

# `make run` starts the all-in-one cluster in the foreground (README.md):
# four storage nodes, their rings and the proxy with tempauth on
# 127.0.0.1:8080, data under $(DATA), reused on the next run. Ctrl-C stops
# it. More flags with SAIO_FLAGS, e.g. SAIO_FLAGS='--proxy-addr 0.0.0.0:8080'.
SAIO_FLAGS ?=
run: build
	$(BIN) saio --data $(DATA) $(SAIO_FLAGS)

# The race detector is on: stores, servers and the ring are shared by
# many goroutines. It needs cgo (gcc); .ci/run installs it.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -race ./...

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
