package metrics

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Column widths of Locust's console tables when not on a terminal.
const (
	typeWidth = 8
	nameWidth = 80
	// reqNameWidth is the name column of the requests table, which Locust
	// widens by what its compact number columns save.
	reqNameWidth = nameWidth - typeWidth + 4
)

// WriteSummary writes Locust's end-of-run tables: requests, response time
// percentiles, the custom metrics and checks when there are any and, when
// anything failed or a script raised, the error and exception reports. Rates are over
// the whole run, as Locust prints them at exit.
func WriteSummary(w io.Writer, s *Snapshot) {
	var b strings.Builder
	writeRequestsTable(&b, s)
	b.WriteString("\n")
	writePercentileTable(&b, s)
	b.WriteString("\n")
	writeCustomTables(&b, s)
	if len(s.Errors) > 0 {
		writeErrorReport(&b, s)
	}
	writeExceptionReport(&b, s)
	writeInterrupted(&b, s)
	_, _ = io.WriteString(w, b.String())
}

// WriteCurrentTable writes Locust's periodic requests table: the one
// WriteSummary starts with, but with current rates (last 10 seconds), as
// Locust prints it while a test runs.
func WriteCurrentTable(w io.Writer, s *Snapshot) {
	var b strings.Builder
	writeRequestsTableRates(&b, s, true)
	_, _ = io.WriteString(w, b.String())
}

func writeRequestsTable(b *strings.Builder, s *Snapshot) {
	writeRequestsTableRates(b, s, false)
}

func writeRequestsTableRates(b *strings.Builder, s *Snapshot, current bool) {
	line(b, fmt.Sprintf("%-*s %-*s %7s %12s |%7s %7s %7s%7s | %7s %11s",
		typeWidth, "Type", reqNameWidth, "Name", "# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s"))
	sep := strings.Join([]string{
		dashes(typeWidth), dashes(reqNameWidth), dashes(7), dashes(13),
		dashes(7), dashes(7), dashes(7), dashes(7), dashes(8), dashes(11),
	}, "|")
	line(b, sep)
	for i := range s.Entries {
		requestsRow(b, &s.Entries[i], s.Now, current)
	}
	line(b, sep)
	requestsRow(b, &s.Total, s.Now, current)
}

func requestsRow(b *strings.Builder, e *Entry, now time.Time, current bool) {
	rps, fps := e.RPS(now), e.FailPerSec(now)
	if current {
		rps, fps = e.CurrentRPS, e.CurrentFailPerSec
	}
	typ := e.Method
	if typ != "" {
		typ += " "
	}
	line(b, fmt.Sprintf("%-*s %-*s %7d %12s |%7d %7d %7d%7d | %7.2f %11.2f",
		typeWidth, typ, reqNameWidth, fit(e.Name, reqNameWidth),
		e.Requests, fmt.Sprintf("%d(%.2f%%)", e.Failures, e.FailRatio()*100),
		wholeMs(e.Avg()), wholeMs(e.MinTime), wholeMs(e.MaxTime), wholeMs(e.Median()),
		rps, fps))
}

func writePercentileTable(b *strings.Builder, s *Snapshot) {
	line(b, "Response time percentiles (approximated)")
	// Locust's format gives the first value column 8 characters and the rest
	// 6, whatever the header above them says; so does this one.
	head := fmt.Sprintf("%-*s %-*s", typeWidth, "Type", nameWidth, "Name")
	for i, p := range Percentiles {
		head += fmt.Sprintf(" %*s", valueWidth(i), percentileLabel(p))
	}
	line(b, head+fmt.Sprintf(" %6s", "# reqs"))
	sep := dashes(typeWidth) + "|" + dashes(nameWidth) + "|" + dashes(8) +
		strings.Repeat("|"+dashes(6), len(Percentiles))
	line(b, sep)
	for i := range s.Entries {
		if s.Entries[i].Requests > 0 {
			percentileRow(b, &s.Entries[i])
		}
	}
	line(b, sep)
	if s.Total.Requests > 0 {
		percentileRow(b, &s.Total)
	}
}

func valueWidth(i int) int {
	if i == 0 {
		return 8
	}
	return 6
}

func percentileRow(b *strings.Builder, e *Entry) {
	row := fmt.Sprintf("%-*s %-*s", typeWidth, e.Method, nameWidth, fit(e.Name, nameWidth))
	for i, p := range Percentiles {
		row += fmt.Sprintf(" %*d", valueWidth(i), wholeMs(e.Percentile(p)))
	}
	line(b, row+fmt.Sprintf(" %6d", e.Requests))
}

func writeErrorReport(b *strings.Builder, s *Snapshot) {
	line(b, "Error report")
	line(b, fmt.Sprintf("%-18s %s", "# occurrences", "Error"))
	sep := dashes(18) + "|" + dashes(nameWidth+80-19)
	line(b, sep)
	for _, g := range s.Errors {
		line(b, fmt.Sprintf("%-18d %s %s: %s", g.Occurrences, g.Method, g.Name, terminalText(g.Error)))
	}
	line(b, sep)
	b.WriteString("\n")
}

// line writes one table line; trailing padding is dropped.
func line(b *strings.Builder, s string) {
	b.WriteString(strings.TrimRight(s, " "))
	b.WriteByte('\n')
}

func dashes(n int) string { return strings.Repeat("-", n) }

// wholeMs rounds a duration to whole milliseconds, the unit of Locust's tables.
func wholeMs(d time.Duration) int64 {
	return int64(math.Round(float64(d) / float64(time.Millisecond)))
}

// percentileLabel is Locust's column name for a percentile: "50%", "99.9%".
func percentileLabel(p float64) string {
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

// fit shortens a name to width characters by cutting out its middle: URLs
// differ at both ends (the path's start and the ID at the end).
func fit(name string, width int) string {
	r := []rune(name)
	if len(r) <= width {
		return name
	}
	const cut = "..."
	keep := width - len(cut)
	tail := keep / 2
	return string(r[:keep-tail]) + cut + string(r[len(r)-tail:])
}

// writeExceptionReport is Locust's "Exceptions" table of script errors, most frequent first,
// each with the innermost frame of its traceback; nothing when the script never raised.
func writeExceptionReport(b *strings.Builder, s *Snapshot) {
	if len(s.Exceptions) == 0 {
		return
	}
	line(b, "Exceptions")
	line(b, fmt.Sprintf("%-18s %s", "# occurrences", "Exception"))
	sep := dashes(18) + "|" + dashes(nameWidth+80-19)
	line(b, sep)
	for _, g := range s.Exceptions {
		at, _, _ := strings.Cut(g.Traceback, "\n")
		row := fmt.Sprintf("%-18d %s", g.Count, terminalText(strings.ReplaceAll(g.Message, "\n", " ")))
		if at != "" {
			row += " " + terminalText(at)
		}
		line(b, row)
	}
	line(b, sep)
	b.WriteString("\n")
}

// terminalText spells out the control characters of text that may come from the target (an
// error's reason phrase, a message built from a body), so that it cannot drive the terminal.
func terminalText(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
