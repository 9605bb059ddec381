package js

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// RunSingle is --single-user: for each class of the test, one user runs onStart, every task
// once in listed order (entering TaskSets and running each of theirs once), and onStop. The
// test's Trace writer shows every request.
func RunSingle(ctx context.Context, t *Test, out io.Writer) error {
	for i, c := range t.classes {
		fmt.Fprintf(out, "--- %s (host %s)\n", c.Name, t.hosts[i])
		eu, err := t.NewUser(i, 1)
		if err != nil {
			return err
		}
		u := eu.(*user)
		if err := u.Start(ctx); err != nil {
			return err
		}
		err = u.pass(u.stack[0], 0)
		u.Stop(ctx)
		var flow *flowError
		if errors.As(err, &flow) && flow.kind == flowStopTest {
			return nil
		}
	}
	return nil
}

// pass runs each entry of f once; it returns a flow error that ends the pass.
func (u *user) pass(f *frame, depth int) error {
	if depth > 16 {
		return nil
	}
	for i := range f.tab.entries {
		e := &f.tab.entries[i]
		var err error
		if e.kind == kindTaskSet {
			err = u.enter(f, e)
			if err == nil {
				inner := u.stack[len(u.stack)-1]
				err = u.pass(inner, depth+1)
				var flow *flowError
				if err == nil || (errors.As(err, &flow) && flow.kind == flowInterrupt) {
					u.stack = u.stack[:len(u.stack)-1]
					err = u.hook(inner.obj, "onStop")
				}
			}
		} else {
			_, callErr := u.v.call(e.fn, f.obj, f.obj)
			err = u.v.settle(callErr)
		}
		var flow *flowError
		if errors.As(err, &flow) {
			if flow.kind == flowReschedule {
				continue
			}
			return err
		}
	}
	return nil
}
