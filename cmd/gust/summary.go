package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gustload/gust/js"
	"github.com/gustload/gust/session"
)

// summaryTimeout bounds the script's handleSummary(): the reports are written already, and a
// stuck function must not hold the exit.
const summaryTimeout = 30 * time.Second

// handleSummary is the output that runs the script's handleSummary(data) (k6's) at every stop
// with the JSON result --json writes, and writes what it returns: "stdout" and "stderr" to the
// streams, any other key to that path (whole: a temp file, then rename).
type handleSummary struct {
	test *js.Test
	out  io.Writer
}

func (h *handleSummary) Start(*session.Run) (time.Duration, error) { return 0, nil }
func (h *handleSummary) Snapshot(*session.Run)                     {}

func (h *handleSummary) Stop(res *session.Result) error {
	if !res.Started {
		return nil
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), summaryTimeout)
	defer cancel()
	outputs, err := h.test.HandleSummary(ctx, buf.Bytes())
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
			if err := writeWhole(path, content); err != nil {
				return fmt.Errorf("handleSummary: %w", err)
			}
		}
	}
	return nil
}

// writeWhole writes content to path through a temp file in the same directory and a rename,
// so that a reader never sees half a file.
func writeWhole(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(tmp, content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
