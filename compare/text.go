package compare

import (
	"fmt"
	"io"
	"strings"
)

// ANSI colours: red a regression beyond its tolerance, yellow worse within it, green better
// beyond the tolerance's size.
const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	green  = "\x1b[32m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// WriteText prints the comparison as a table (one line per row, each metric "base → new
// (change)") followed by the regressions; colour only when color is true.
func WriteText(w io.Writer, r *Report, color bool) {
	paint := func(code, s string) string {
		if !color || code == "" {
			return s
		}
		return code + s + reset
	}
	fmt.Fprintf(w, "base: %s (%s)\nnew:  %s (%s)\n\n", r.Base.Path, r.Base.Start, r.New.Path, r.New.Start)
	width := len("Aggregated")
	for _, row := range r.Rows {
		width = max(width, min(len(row.Key), 60))
	}
	header := fmt.Sprintf("%-*s", width, "Name")
	for _, m := range Metrics {
		header += fmt.Sprintf(" | %-26s", m)
	}
	fmt.Fprintln(w, paint(bold, header))
	fmt.Fprintln(w, strings.Repeat("-", len(header)))
	for _, row := range r.Rows {
		name := row.Key
		if len(name) > 60 {
			name = name[:57] + "..."
		}
		line := fmt.Sprintf("%-*s", width, name)
		for _, c := range row.Changes {
			cell := cellText(row, c)
			pad := fmt.Sprintf(" | %-26s", cell)
			code := ""
			switch {
			case c.Exceeded:
				code = red
			case c.Better:
				code = green
			case c.Worse && c.Tolerance != nil && row.Judged && c.Delta != 0:
				code = yellow
			}
			line += " | " + paint(code, cell) + pad[3+len(cell):]
		}
		if row.Base != nil && row.New != nil && !row.Judged {
			line += "  (too few requests to judge)"
		}
		fmt.Fprintln(w, line)
	}
	regs := r.Regressions()
	fmt.Fprintln(w)
	if len(regs) == 0 {
		fmt.Fprintln(w, paint(green, "No regression beyond the tolerances ("+strings.Join(r.tolerances(), ", ")+")."))
		return
	}
	fmt.Fprintln(w, paint(red+bold, fmt.Sprintf("%d regression(s) beyond the tolerances:", len(regs))))
	for _, s := range regs {
		fmt.Fprintln(w, "  "+paint(red, s))
	}
}

// cellText is "base → new (change)", or which run lacks the row.
func cellText(row Row, c Change) string {
	switch {
	case row.Base == nil:
		return "new row: " + format(c.Metric, c.New)
	case row.New == nil:
		return "gone (was " + format(c.Metric, c.Base) + ")"
	case !c.Has:
		return "-"
	}
	return fmt.Sprintf("%s → %s (%s)", format(c.Metric, c.Base), format(c.Metric, c.New), deltaText(c))
}

// tolerances are the tolerances in force, for the verdict line.
func (r *Report) tolerances() []string {
	var out []string
	for _, c := range r.Rows[len(r.Rows)-1].Changes {
		if c.Tolerance != nil {
			out = append(out, c.Tolerance.Expr)
		}
	}
	return out
}
