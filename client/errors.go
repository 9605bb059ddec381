package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// ErrAborted is the error of every request cut short or refused by Client.Abort.
var ErrAborted = errors.New("request aborted: test stopping")

// Error is a network or protocol failure of one request. Its message names only
// the operation, the target's host:port and a fixed description, never local
// ports or response bytes, because failures are grouped by message.
type Error struct {
	Op   string // "url", "dial", "tls handshake", "write" or "read"
	Addr string // target host:port; empty for a bad URL
	Msg  string // stable description, e.g. "connection refused"
	Err  error  // the underlying error, for errors.Is/As
}

// Error returns "op addr: msg".
func (e *Error) Error() string {
	if e.Addr == "" {
		return e.Op + ": " + e.Msg
	}
	return e.Op + " " + e.Addr + ": " + e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the request ran out of time.
func (e *Error) Timeout() bool { return isTimeout(e.Err) }

// failure turns err, met during op against addr, into an *Error with a stable message.
func failure(op, addr string, err error, timeout time.Duration) error {
	return &Error{Op: op, Addr: addr, Msg: describe(op, err, timeout), Err: err}
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// describe picks the part of err that stays the same from one occurrence to the
// next: net.OpError and fasthttp messages carry ephemeral ports or raw bytes.
func describe(op string, err error, timeout time.Duration) string {
	var (
		errno syscall.Errno
		dns   *net.DNSError
		opErr *net.OpError
	)
	switch {
	case isTimeout(err):
		return "timeout after " + timeout.String()
	case errors.As(err, &errno):
		return errno.Error()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "server closed connection mid-response"
	case errors.Is(err, io.EOF):
		return "server closed connection without response"
	case errors.Is(err, net.ErrClosed):
		return "connection closed"
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "lookup " + dns.Name + ": no such host"
		}
		return "lookup " + dns.Name + ": " + dns.Err
	case op == "tls handshake":
		var (
			rec     tls.RecordHeaderError
			invalid x509.CertificateInvalidError
		)
		switch {
		case errors.As(err, &rec):
			return "server did not answer with TLS"
		case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
			// The standard message quotes the current time.
			return "tls: certificate has expired or is not yet valid"
		}
		return err.Error()
	case errors.As(err, &opErr) && opErr.Err != nil:
		return opErr.Err.Error()
	case errors.As(err, new(h2Error)):
		return err.Error()
	case op == "read":
		return "malformed response"
	}
	return err.Error()
}
