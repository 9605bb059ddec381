// Command server runs the bundled sample API on its own, so that the sample scripts'
// commands (-H http://127.0.0.1:8000) have something to talk to:
//
//	go run ./samples/server            # http://127.0.0.1:8000
//	go run ./samples/server -addr 127.0.0.1:9000
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gustload/gust/samples/api"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "listen address")
	flag.Parse()
	s := api.New()
	base, err := s.Start(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("sample API on %s (Ctrl-C to stop)\n", base)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("served %d requests\n", s.Served())
}
