package js

import (
	"fmt"
	"strconv"

	"github.com/gustload/gust/engine"
)

// stagesFromOptions reads options.stages: [{duration, users, spawnRate}] for the closed
// model, or [{duration, rate, users?}] for the open model (users caps the pool). A duration is
// "30s"-style text or a number of seconds.
func stagesFromOptions(options map[string]any) (engine.Stages, error) {
	raw, ok := options["stages"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("bad options.stages: want an array of {duration, users, spawnRate} or {duration, rate}")
	}
	var out engine.Stages
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("bad options.stages[%d]: want an object like {duration: \"30s\", users: 10, spawnRate: 2}", i)
		}
		var st engine.Stage
		for k, v := range m {
			num, isNum := v.(float64)
			switch k {
			case "duration":
				d, err := engine.ParseDuration(durationText(v))
				if err != nil {
					return nil, fmt.Errorf("bad options.stages[%d].duration: %v", i, err)
				}
				st.Duration = d
				continue
			case "users", "spawnRate", "rate":
				if !isNum {
					return nil, fmt.Errorf("bad options.stages[%d].%s %v: want a number", i, k, v)
				}
			default:
				return nil, fmt.Errorf("bad options.stages[%d]: unknown key %q (use duration, users, spawnRate, rate)", i, k)
			}
			switch k {
			case "users":
				st.Users = int(num)
			case "spawnRate":
				st.SpawnRate = num
			case "rate":
				st.Rate = num
			}
		}
		out = append(out, st)
	}
	if err := out.Check(); err != nil {
		return nil, fmt.Errorf("bad options.%v", err)
	}
	return out, nil
}

// LoadShape returns the test's load profile: the script's shape(ctx), or options.stages, or
// nil. open says the profile is open-model from the start. onError hears why a shape() ended
// the test.
func LoadShape(test *Test, onError func(error)) (shape engine.Shape, open bool, err error) {
	script := test.s
	stages, err := stagesFromOptions(script.Options())
	if err != nil {
		return nil, false, err
	}
	if script.HasShape() {
		if stages != nil {
			return nil, false, fmt.Errorf("the script exports shape() and options.stages: keep one")
		}
		s, err := NewShape(test, onError)
		if err != nil {
			return nil, false, err
		}
		return s, false, nil
	}
	if stages != nil {
		return stages, stages.Open(), nil
	}
	return nil, false, nil
}

// durationText is a stage's duration as text: "30s" as it is, a number as seconds.
func durationText(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
