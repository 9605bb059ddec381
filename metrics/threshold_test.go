package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		expr       string
		name       string
		metric     string
		percentile float64
		op         string
		limit      float64
		err        string // a part of the error; "" for none
	}{
		{expr: "p95<300ms", metric: "p95", percentile: 95, op: "<", limit: 300},
		{expr: "p(99.9)<1s", metric: "p99.9", percentile: 99.9, op: "<", limit: 1000},
		{expr: "p99.9 <= 1.5s", metric: "p99.9", percentile: 99.9, op: "<=", limit: 1500},
		{expr: "p(100)<2s", metric: "p100", percentile: 100, op: "<", limit: 2000},
		{expr: "avg<100", metric: "avg", op: "<", limit: 100},
		{expr: "med<20ms", metric: "med", percentile: 50, op: "<", limit: 20},
		{expr: "min>=1ms", metric: "min", op: ">=", limit: 1},
		{expr: "max<2s", metric: "max", op: "<", limit: 2000},
		{expr: "fail_ratio<1%", metric: "fail_ratio", op: "<", limit: 0.01},
		{expr: "fail_ratio<=0.05", metric: "fail_ratio", op: "<=", limit: 0.05},
		{expr: "rps>500", metric: "rps", op: ">", limit: 500},
		{expr: "count>=1000", metric: "count", op: ">=", limit: 1000},
		{expr: "'GET /items/': p95<200ms", name: "GET /items/", metric: "p95", percentile: 95, op: "<", limit: 200},
		{expr: `"GET /a:b": p95<200ms`, name: "GET /a:b", metric: "p95", percentile: 95, op: "<", limit: 200},
		{expr: "/items/:p95<200ms", name: "/items/", metric: "p95", percentile: 95, op: "<", limit: 200},
		{expr: "GET http://h:8080/x: avg<5", name: "GET http://h:8080/x", metric: "avg", op: "<", limit: 5},
		{expr: "", err: "empty"},
		{expr: "p95", err: "no comparison"},
		{expr: "p95==3", err: "operator must be"},
		{expr: "p95=<3", err: "operator must be"},
		{expr: "p95<3<4", err: "more than one comparison"},
		{expr: "p95<", err: "no number"},
		{expr: "p95<fast", err: "no number"},
		{expr: "p0<3ms", err: "bad percentile"},
		{expr: "p101<3ms", err: "bad percentile"},
		{expr: "p(abc)<3ms", err: "bad percentile"},
		{expr: "latency<3ms", err: "unknown metric"},
		{expr: "<3ms", err: "no metric"},
		{expr: "p95<3min", err: "bad unit"},
		{expr: "p95<3%", err: "bad unit"},
		{expr: "fail_ratio<5", err: "above 1"},
		{expr: "fail_ratio<5ms", err: "bad unit"},
		{expr: "rps>5/s", err: "plain number"},
		{expr: "'GET /x: p95<3", err: "unclosed quote"},
		{expr: "'GET /x' p95<3", err: "want ':'"},
		{expr: ":p95<3", err: "empty name"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := ParseThreshold(tt.expr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "\""+tt.expr+"\"") {
					t.Fatalf("error %v, want one naming the expression and saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Threshold{Expr: strings.TrimSpace(tt.expr), Name: tt.name, Metric: tt.metric, Percentile: tt.percentile, Op: tt.op, Limit: tt.limit}
			if got != want {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestThresholdEvaluate(t *testing.T) {
	// /items/: 100 requests of 1..100 ms; /login: 10 of 20.43 ms, 4 failed.
	snap := sampleSnapshot(t)
	tests := []struct {
		expr   string
		passed bool
		actual string
	}{
		{"p95<100ms", true, "95.04ms"},
		{"p95<90ms", false, "95.04ms"},
		{"p100<=100ms", true, "100ms"},
		{"max<100", false, "100ms"},
		{"min>=1ms", true, "1ms"},
		{"avg<50ms", true, "47.77ms"},
		{"fail_ratio<5%", true, "3.636%"},
		{"fail_ratio<3%", false, "3.636%"},
		{"count>=110", true, "110"},
		{"rps>10", true, "11/s"},
		{"'/items/': med<50ms", false, "50.02ms"},
		{"/items/:med<51ms", true, "50.02ms"},
		{"'POST /login': fail_ratio<=40%", true, "40%"},
		{"'GET /login': count>0", false, "0"},
		{"'/nowhere': p95<1s", false, "no requests"},
		{"'/nowhere': fail_ratio<1%", true, "0%"},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		v := th.evaluate(snap)
		if v.Passed != tt.passed || v.Measured() != tt.actual {
			t.Errorf("%s: passed %v measured %s, want %v %s", tt.expr, v.Passed, v.Measured(), tt.passed, tt.actual)
		}
	}
}

func TestThresholdsFromOptions(t *testing.T) {
	tests := []struct {
		name    string
		options any
		want    []string // Name|Expr
		err     string
	}{
		{"none", nil, nil, ""},
		{"array", []any{"p95<200ms", "'GET /x': avg<5"}, []string{"|p95<200ms", "GET /x|'GET /x': avg<5"}, ""},
		{"k6 object", map[string]any{"GET /items/": []any{"p95<200ms", map[string]any{"threshold": "max<1s"}}, "*": "rps>5"},
			[]string{"|rps>5", "GET /items/|'GET /items/': p95<200ms", "GET /items/|'GET /items/': max<1s"}, ""},
		{"aggregate key", map[string]any{"Aggregated": []any{"fail_ratio<1%"}}, []string{"|fail_ratio<1%"}, ""},
		{"bad expression", []any{"p95<<3"}, nil, `"p95<<3"`},
		{"bad item", []any{42.0}, nil, "want a string"},
		{"name twice", map[string]any{"/a": "/b:p95<3"}, nil, "name is given twice"},
		{"bad type", 3.0, nil, "want an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := ThresholdsFromOptions(tt.options)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, th := range ts {
				got = append(got, th.Name+"|"+th.Expr)
				// What the options say must read back the same way from the command line.
				back, err := ParseThreshold(th.Expr)
				if err != nil || back.Name != th.Name {
					t.Errorf("%q does not read back: %+v %v", th.Expr, back, err)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormatMs(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                          "0ms",
		40 * time.Microsecond:      "0.04ms",
		400 * time.Microsecond:     "0.4ms",
		3250 * time.Microsecond:    "3.3ms",
		20 * time.Millisecond:      "20ms",
		1234567 * time.Microsecond: "1235ms",
	} {
		if got := FormatMs(d); got != want {
			t.Errorf("FormatMs(%v) = %q, want %q", d, got, want)
		}
	}
}
