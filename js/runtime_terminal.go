package js

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// What the target sends (bodies, headers, error texts) can hold terminal escape sequences that
// would retitle, recolour or rewrite the tester's terminal. Everything gust prints from a run
// goes through terminalSafe, which spells control characters out as \xNN or \u00NN.

// terminalSafe returns s with every control character except newline and tab escaped, and
// bytes that are not UTF-8 shown as \xNN.
func terminalSafe(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0: // C1 controls: 0x9b is a one-byte CSI on some terminals
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

func needsEscape(s string) bool {
	high := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			return true
		case c >= 0x80:
			high = true
		}
	}
	if !high {
		return false
	}
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r >= 0x80 && r < 0xa0 {
			return true
		}
	}
	return false
}

// safeWriter escapes what passes through it (terminalSafe). A UTF-8 sequence cut between two
// writes is held back until its end arrives, so that valid text is never shown as \xNN.
type safeWriter struct {
	mu   sync.Mutex
	w    io.Writer
	tail []byte
}

// newSafeWriter wraps w; nil stays nil so that "no trace" keeps meaning no trace.
func newSafeWriter(w io.Writer) io.Writer {
	if w == nil {
		return nil
	}
	if _, ok := w.(*safeWriter); ok {
		return w
	}
	return &safeWriter{w: w}
}

func (s *safeWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf := append(s.tail, p...)
	s.tail = nil
	// Hold back an incomplete UTF-8 sequence at the end (at most 3 bytes).
	for k := 1; k <= 3 && k <= len(buf); k++ {
		c := buf[len(buf)-k]
		if c < 0x80 {
			break
		}
		if c >= 0xc0 { // a leading byte: is its sequence complete?
			if !utf8.FullRune(buf[len(buf)-k:]) {
				s.tail = append([]byte(nil), buf[len(buf)-k:]...)
				buf = buf[:len(buf)-k]
			}
			break
		}
	}
	if _, err := io.WriteString(s.w, terminalSafe(string(buf))); err != nil {
		return 0, err
	}
	return len(p), nil
}
