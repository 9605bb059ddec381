//go:build !linux || gust_portable

package client

import (
	"io"
	"net"
)

// wire is the portable twin of the Linux fast path (wire_linux.go), used off Linux and on
// Linux with the build tag gust_portable so that it is tested where the project is
// developed. It goes through the net.Conn. await waits for the response's first byte with
// a one-byte read into the wire itself, so that a user waiting on a slow server holds no
// pooled read buffer; the next Read hands that byte out first.
type wire struct {
	tc    *net.TCPConn
	first [1]byte
	has   bool // first holds the response's first byte
}

func newWire(tc *net.TCPConn) *wire { return &wire{tc: tc} }

// Write sends p at once.
func (w *wire) Write(p []byte) (int, error) { return w.tc.Write(p) }

// Read returns the byte await read, followed by whatever has arrived after it.
func (w *wire) Read(p []byte) (int, error) {
	if !w.has || len(p) == 0 {
		return w.tc.Read(p)
	}
	w.has = false
	p[0] = w.first[0]
	n, err := w.tc.Read(p[1:])
	if err == io.EOF {
		err = nil // the EOF comes again on the next Read
	}
	return n + 1, err
}

// await returns once the response has begun to arrive, the connection has failed or the
// deadline has passed.
func (w *wire) await() error {
	if w == nil || w.has {
		return nil
	}
	n, err := w.tc.Read(w.first[:])
	if n == 1 {
		w.has = true
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (*wire) hold()             {}
func (*wire) unhold()           {}
func (*wire) writeFailed() bool { return false }
