package session

import "io"

// HTML is the --html output: the self-contained HTML report, written whole at every stop.
func HTML(path string) Output {
	return &fileOutput{path: path, write: func(res *Result, w io.Writer) error { return res.WriteHTML(w) }}
}
