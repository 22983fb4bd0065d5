# swiftlet — see README.md.
GO    ?= go
BIN   ?= bin/swiftlet
DATA  ?= ./data

.PHONY: build run test bench lint clean

build:
	$(GO) build -o $(BIN) ./cmd/swiftlet

# Until the all-in-one cluster exists (the proxy issue), `make run` shows
# the ring tool: it builds the object ring of a four-node all-in-one layout
# under $(DATA)/rings and looks a path up in it.
run: build
	@mkdir -p $(DATA)/rings
	$(BIN) ring $(DATA)/rings/object.builder create 10 3 1
	$(BIN) ring $(DATA)/rings/object.builder add \
		r1z1-127.0.0.1:6210/d1 100 r1z2-127.0.0.1:6220/d2 100 \
		r1z3-127.0.0.1:6230/d3 100 r1z4-127.0.0.1:6240/d4 100
	$(BIN) ring $(DATA)/rings/object.builder rebalance
	$(BIN) ring $(DATA)/rings/object.builder
	$(BIN) get-nodes $(DATA)/rings/object.ring.gz AUTH_test photos cat.jpg

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
