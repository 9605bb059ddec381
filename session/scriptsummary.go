package session

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// summaryTimeout bounds a script's handleSummary(): the reports are written already, and a
// stuck function must not hold the exit.
const summaryTimeout = 30 * time.Second

// ScriptSummary is the output of a script's handleSummary(data) (k6's): at every stop, summary
// gets the JSON result (what --json writes) and returns { path: content }; "stdout" and
// "stderr" go to out and stderr, any other key is written whole to that path.
func ScriptSummary(out io.Writer, summary func(ctx context.Context, result []byte) (map[string]string, error)) Output {
	return &scriptSummary{out: out, summary: summary}
}

type scriptSummary struct {
	out     io.Writer
	summary func(ctx context.Context, result []byte) (map[string]string, error)
}

func (h *scriptSummary) Start(*Run) (time.Duration, error) { return 0, nil }
func (h *scriptSummary) Snapshot(*Run)                     {}

func (h *scriptSummary) Stop(res *Result) error {
	if !res.Started {
		return nil
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), summaryTimeout)
	defer cancel()
	outputs, err := h.summary(ctx, buf.Bytes())
	if err != nil {
		return err
	}
	for path, content := range outputs {
		switch path {
		case "stdout":
			fmt.Fprint(h.out, content)
		case "stderr":
			fmt.Fprint(os.Stderr, content)
		default:
			if err := writeFile(path, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
				return fmt.Errorf("handleSummary: %w", err)
			}
		}
	}
	return nil
}
