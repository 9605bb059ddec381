//go:build !linux

package client

import "net"

// wire is Linux-only (see wire_linux.go); elsewhere plain HTTP goes through
// the net.Conn, every wire is nil, and Read and Write are never reached.
type wire struct{}

func newWire(*net.TCPConn) *wire        { return nil }
func (*wire) Read([]byte) (int, error)  { panic("client: no wire on this system") }
func (*wire) Write([]byte) (int, error) { panic("client: no wire on this system") }
func (*wire) await() error              { panic("client: no wire on this system") }
func (*wire) hold()                     {}
func (*wire) unhold()                   {}
func (*wire) writeFailed() bool         { return false }
