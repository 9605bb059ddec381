package session

import "io"

// JSON is the --json output: the whole result as JSON (schema: docs/json.md), written whole at
// every stop.
func JSON(path string) Output {
	return &fileOutput{path: path, write: func(res *Result, w io.Writer) error { return res.WriteJSON(w) }}
}
