.PHONY: test build bench bench-tls
build:
	go build -o gust ./cmd/gust
test:
	go test ./...
bench:
	bash bench/run.sh
bench-tls:
	bash bench/tls.sh
