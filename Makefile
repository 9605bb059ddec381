.PHONY: test build bench
build:
	go build -o gust ./cmd/gust
test:
	go test ./...
bench:
	bash bench/run.sh
