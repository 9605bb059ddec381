//go:build linux && !gust_portable

package client

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// wire carries requests over a TCP connection with one system call fewer per
// request than a net.Conn: plain HTTP directly, HTTPS and HTTP/2 with the TLS
// client over it (wiredConn), so that the request's last record is what is held. Through a net.Conn, the first read after
// a request finds no response yet (EAGAIN), parks, and reads again once the
// poller wakes it: two reads per request. Here the request's bytes are held
// until the wait for the response (await, or the first Read), which runs
// inside the socket's RawConn.Read: that arms the poller for readability,
// then the callback sends the request and asks to wait. Arming before
// sending is what makes skipping the speculative read safe: a response
// cannot arrive, and its readiness cannot be lost, before the wait is armed.
// On a 2-core loopback run this halves the read calls (see
// docs/performance.md for the figures).
type wire struct {
	tc      *net.TCPConn
	rc      syscall.RawConn
	pending []byte // the request's last bytes, still to send
	buf     []byte // pending's storage, kept for the next request
	holding bool   // the next Write is the request's last

	// The raw callback's arguments and results; readFn is bound once so
	// that a read does not allocate a closure.
	p      []byte // where to read; nil to only wait for readability
	n      int
	err    error
	wrote  bool // the last exchange sent pending bytes
	werr   bool // and sending them failed
	readFn func(fd uintptr) bool
}

// maxHeld bounds the bytes a wire keeps between requests: a GET with its
// headers is a few hundred.
const maxHeld = 2 << 10

// newWire returns a wire over tc, or nil when tc offers no raw access.
func newWire(tc *net.TCPConn) *wire {
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &wire{tc: tc, rc: rc}
	w.readFn = w.rawRead
	return w
}

// Write sends p now or, after hold, copies it to be sent by the next Read,
// so that the request writer can go back to its pool while the response is
// awaited. Only the request's last flush is held; the bytes before it (a
// request larger than the writer) and a last flush beyond maxHeld go out
// at once through the poller.
func (w *wire) Write(p []byte) (int, error) {
	if len(w.pending) > 0 {
		// A TLS client can write the request's last flush as more than one record: the
		// bytes already held go first.
		if len(w.pending)+len(p) <= maxHeld {
			w.pending = append(w.pending, p...)
			w.buf = w.pending
			return len(p), nil
		}
		out := w.pending
		w.pending = nil
		if _, err := w.tc.Write(out); err != nil {
			return 0, err
		}
	}
	if !w.holding || len(p) > maxHeld {
		w.holding = false
		return w.tc.Write(p)
	}
	w.holding = false
	w.pending = append(w.buf[:0], p...)
	w.buf = w.pending
	return len(p), nil
}

// hold makes the next Write keep its bytes for the next Read; unhold ends
// that, whether or not a Write came (a flush with nothing buffered writes
// nothing), so that no later request's bytes are held out of order. Like
// await and writeFailed, they do nothing on a nil wire (a TLS connection).
func (w *wire) hold() {
	if w != nil {
		w.holding = true
	}
}

func (w *wire) unhold() {
	if w != nil {
		w.holding = false
	}
}

// Read reads the response. Pending request bytes are sent first, as await
// does, and the read waits for the response without trying before it.
func (w *wire) Read(p []byte) (int, error) {
	w.p = p
	err := w.exchange()
	w.p = nil
	if err != nil {
		return 0, err
	}
	return w.n, w.err
}

// await sends the pending request bytes and returns once the response has
// begun to arrive, the connection has failed, or the deadline has passed.
// It reads nothing, so no buffer is needed while the server works; a wake-up
// with nothing to read (the rare late readiness of an earlier response)
// costs the next Read one speculative read.
func (w *wire) await() error {
	if w == nil || len(w.pending) == 0 {
		return nil
	}
	w.p = nil
	if err := w.exchange(); err != nil {
		return err
	}
	return w.err
}

// exchange runs rawRead under RawConn.Read with the pending bytes.
func (w *wire) exchange() error {
	w.n, w.err, w.wrote, w.werr = 0, nil, len(w.pending) > 0, false
	err := w.rc.Read(w.readFn)
	w.pending = nil
	return err
}

// writeFailed reports whether the last await or Read failed sending the request.
func (w *wire) writeFailed() bool { return w != nil && w.wrote && w.werr }

// rawRead is the RawConn.Read callback: the first call sends the pending
// bytes and asks to wait; the next reads what has arrived into w.p, or, for
// await (w.p nil), just reports that the socket is readable.
func (w *wire) rawRead(fd uintptr) bool {
	if out := w.pending; len(out) > 0 {
		w.pending = nil
		for len(out) > 0 {
			n, err := rawWrite(fd, out)
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				// The send buffer is full: finish through the poller, which
				// waits for room. The read stays armed.
				if _, err = w.tc.Write(out); err != nil {
					w.err, w.werr = err, true
					return true
				}
				return false
			case err != nil:
				w.err, w.werr = os.NewSyscallError("write", err), true
				return true
			}
			out = out[n:]
		}
		return false
	}
	if w.p == nil {
		return true
	}
	for {
		n, err := rawRead(fd, w.p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		case err != nil:
			w.err = os.NewSyscallError("read", err)
		case n == 0:
			w.err = io.EOF
		}
		w.n = n
		return true
	}
}

// rawWrite and rawRead are write(2) and read(2) on a non-blocking socket
// without telling the scheduler: such a call returns at once, and the
// scheduler's bookkeeping around a system call (and its monitor handing
// the processor to another thread when the call is slow to come back)
// cost more than the call on a busy loopback.
func rawWrite(fd uintptr, p []byte) (int, error) { return rawIO(syscall.SYS_WRITE, fd, p) }
func rawRead(fd uintptr, p []byte) (int, error)  { return rawIO(syscall.SYS_READ, fd, p) }

func rawIO(trap, fd uintptr, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
