package js

// TEMPORARY: what the jsharden branch defines (js/exceptions.go, js/user.go); deleted when it
// is merged.

import (
	"errors"

	"github.com/dop251/goja"
)

type rejectedError struct{ reason goja.Value }

func (e *rejectedError) Error() string {
	msg, _ := rejection(e.reason)
	return msg
}

func thrown(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	var re *rejectedError
	if errors.As(err, &re) {
		return re.reason
	}
	return nil
}

func rejection(reason goja.Value) (msg, tb string) {
	if o, ok := reason.(*goja.Object); ok {
		name, m := o.Get("name"), o.Get("message")
		if name != nil && m != nil {
			msg = name.String() + ": " + m.String()
		}
		if st := o.Get("stack"); st != nil && !goja.IsUndefined(st) {
			tb = st.String()
		}
		return msg, tb
	}
	return reason.String(), ""
}
