package report

// Capacity is the outcome of a capacity search (--find-capacity), charted step by step.
type Capacity struct {
	Rate       float64 // the highest rate that held; 0 when none did
	BrokeAt    float64 // the lowest rate that broke; 0 when none did
	Limit      string  // what broke there
	Thresholds []string
	Confirmed  bool
	Complete   bool
	Steps      []CapacityStep
}

// CapacityStep is one rate the search tried.
type CapacityStep struct {
	Phase     string
	Rate      float64 // asked, task executions per second
	RPS       float64 // requests completed per second
	P50Ms     float64
	P95Ms     float64
	FailRatio float64
	Held      bool
	Broken    []string
}

// capacitySeries is the steps column-wise, as uPlot takes them: x is the step's number.
type capacitySeries struct {
	Step []int     `json:"step"`
	Rate []float64 `json:"rate"`
	RPS  []float64 `json:"rps"`
	P95  []float64 `json:"p95"`
	Held []bool    `json:"held"`
}

func toCapacitySeries(c *Capacity) *capacitySeries {
	if c == nil {
		return nil
	}
	s := &capacitySeries{Step: []int{}, Rate: []float64{}, RPS: []float64{}, P95: []float64{}, Held: []bool{}}
	for i, st := range c.Steps {
		s.Step = append(s.Step, i+1)
		s.Rate = append(s.Rate, st.Rate)
		s.RPS = append(s.RPS, st.RPS)
		s.P95 = append(s.P95, st.P95Ms)
		s.Held = append(s.Held, st.Held)
	}
	return s
}
