package js

import (
	"fmt"
	"io"
)

// WriteTaskRatios writes the share of each class and of each of its tasks
// (--show-task-ratio), TaskSets indented under their task.
func WriteTaskRatios(w io.Writer, classes []ClassInfo) {
	total := 0
	for _, c := range classes {
		total += c.Weight
	}
	var walk func(ts []TaskInfo, share float64, indent string)
	walk = func(ts []TaskInfo, share float64, indent string) {
		for _, t := range ts {
			fmt.Fprintf(w, "%s%-6.1f%% %s\n", indent, 100*share*t.Ratio, t.Name)
			walk(t.Tasks, share*t.Ratio, indent+"    ")
		}
	}
	fmt.Fprintln(w, "Task ratio per User class (share of the class's task executions)")
	for _, c := range classes {
		share := 0.0
		if total > 0 {
			share = float64(c.Weight) / float64(total)
		}
		fmt.Fprintf(w, "%-6.1f%% %s\n", 100*share, c.Name)
		walk(c.Tasks, 1, "    ")
	}
}
