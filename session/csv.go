package session

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gustload/gust/metrics"
)

// CSV is the --csv output: Locust's PREFIX_stats.csv, _stats_history.csv, _failures.csv and
// _exceptions.csv, written whole at every stop. The history streams, as it is sampled, to a
// hidden spool file beside the final one, so that no run is too long for memory; Close
// removes the spool.
type CSV struct {
	prefix  string
	spool   *os.File
	history *metrics.History
}

// NewCSV is the CSV set with prefix; it fails when the spool file cannot be made there.
func NewCSV(prefix string) (*CSV, error) {
	path := prefix + "_stats_history.csv"
	spool, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".spool.*")
	if err != nil {
		return nil, fmt.Errorf("bad --csv %q: %w", prefix, err)
	}
	return &CSV{prefix: prefix, spool: spool}, nil
}

func (c *CSV) historyCSV() io.Writer     { return c.spool }
func (c *CSV) attach(h *metrics.History) { c.history = h }

// Start implements Output.
func (c *CSV) Start(*Run) (time.Duration, error) { return 0, nil }

// Snapshot implements Output.
func (c *CSV) Snapshot(*Run) {}

// Stop implements Output: it writes the four files (five with custom metrics or checks).
func (c *CSV) Stop(res *Result) error {
	snap := res.Snapshot
	err := errors.Join(
		writeFile(c.prefix+"_stats.csv", func(w io.Writer) error { return metrics.WriteStatsCSV(w, snap) }),
		writeFile(c.prefix+"_stats_history.csv", func(w io.Writer) error { return c.writeHistory(w, res) }),
		writeFile(c.prefix+"_failures.csv", func(w io.Writer) error { return metrics.WriteFailuresCSV(w, snap) }),
		writeFile(c.prefix+"_exceptions.csv", func(w io.Writer) error { return metrics.WriteExceptionsCSV(w, snap) }),
	)
	if len(snap.Metrics) > 0 || len(snap.Checks) > 0 {
		// Only a script with custom metrics or checks gets the fifth file.
		err = errors.Join(err, writeFile(c.prefix+"_metrics.csv", func(w io.Writer) error { return metrics.WriteMetricsCSV(w, snap) }))
	}
	return err
}

// writeHistory writes the streamed history CSV; a result that no session sampled (gust
// merge's) has its history only in res.TimeSeries.
func (c *CSV) writeHistory(w io.Writer, res *Result) error {
	if c.history == nil {
		return metrics.WriteHistoryCSV(w, res.TimeSeries)
	}
	if err := c.history.Err(); err != nil {
		return err
	}
	if _, err := c.spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, c.spool)
	if _, serr := c.spool.Seek(0, io.SeekEnd); err == nil {
		err = serr
	}
	return err
}

// Close removes the spool file.
func (c *CSV) Close() error {
	c.spool.Close()
	return os.Remove(c.spool.Name())
}
