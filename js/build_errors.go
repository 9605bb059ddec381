package js

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/dop251/goja"
)

// jsError turns an error thrown while loading into a LoadError naming the user's
// file:line:col (goja maps positions through the bundle's source map).
func (s *Script) jsError(err error) error {
	var stuck *StuckError
	if errors.As(err, &stuck) {
		return err
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		var se *goja.CompilerSyntaxError
		if errors.As(err, &se) {
			return &LoadError{Pos: s.abs, Msg: se.Error()}
		}
		return err
	}
	le := &LoadError{Pos: s.abs, Msg: exceptionMessage(ex)}
	for _, f := range ex.Stack() {
		p := f.Position()
		if p.Filename == "" || p.Line == 0 || strings.HasPrefix(p.Filename, "gust:") {
			continue
		}
		le.Pos = fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
		le.Line = sourceLine(p.Filename, p.Line)
		break
	}
	return le
}

// exceptionMessage is what Locust shows for an exception: its type and message.
func exceptionMessage(ex *goja.Exception) string {
	v := ex.Value()
	if o, ok := v.(*goja.Object); ok {
		name, msg := o.Get("name"), o.Get("message")
		if name != nil && msg != nil && !goja.IsUndefined(msg) {
			if m := msg.String(); m != "" {
				return name.String() + ": " + m
			}
			return name.String()
		}
	}
	if v == nil {
		return ex.Error()
	}
	return v.String()
}

// traceback lists the JavaScript frames of an exception, innermost first, as
// "at fn (file:line:col)" lines pointing into the user's sources.
func traceback(ex *goja.Exception) string {
	var b strings.Builder
	for _, f := range ex.Stack() {
		p := f.Position()
		if p.Filename == "" || strings.HasPrefix(p.Filename, "gust:") {
			continue
		}
		fn := f.FuncName()
		if fn == "" {
			fn = "<anonymous>"
		}
		fmt.Fprintf(&b, "at %s (%s:%d:%d)\n", fn, p.Filename, p.Line, p.Column)
	}
	return strings.TrimRight(b.String(), "\n")
}

// sourceLine reads one line of a user's file for an error message; "" when unavailable.
func sourceLine(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(b), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}
