// Package deploy holds the container image and Kubernetes sample (see docs/scaleout.md); its
// test parses them so that a manifest edit that breaks the segment wiring fails in CI.
package deploy

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Minimal typed views of the Kubernetes objects: only the fields asserted here.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
	Resources []string `yaml:"resources"`
}

type podSpec struct {
	Containers []struct {
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
		Env   []struct {
			Name      string `yaml:"name"`
			ValueFrom struct {
				FieldRef struct {
					FieldPath string `yaml:"fieldPath"`
				} `yaml:"fieldRef"`
				ConfigMapKeyRef struct {
					Name string `yaml:"name"`
					Key  string `yaml:"key"`
				} `yaml:"configMapKeyRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name      string `yaml:"name"`
		ConfigMap struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		PersistentVolumeClaim struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
	} `yaml:"volumes"`
}

func loadManifests(t *testing.T) map[string][]object {
	t.Helper()
	files, _ := filepath.Glob("k8s/*.yaml")
	if len(files) == 0 {
		t.Fatal("no manifests in deploy/k8s")
	}
	byKind := map[string][]object{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(fh)
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			byKind[o.Kind] = append(byKind[o.Kind], o)
		}
		fh.Close()
	}
	return byKind
}

func flagValue(args []string, name string) (string, bool) {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

func TestIndexedJob(t *testing.T) {
	objs := loadManifests(t)
	if len(objs["Job"]) != 1 {
		t.Fatalf("%d Jobs, want 1", len(objs["Job"]))
	}
	job := objs["Job"][0]
	if job.APIVersion != "batch/v1" || job.Spec.CompletionMode != "Indexed" {
		t.Errorf("job %s %q: want batch/v1 completionMode Indexed", job.APIVersion, job.Spec.CompletionMode)
	}
	n := job.Spec.Completions
	if n < 2 || job.Spec.Parallelism != n {
		t.Errorf("completions %d, parallelism %d: want N >= 2 segments all running at once", n, job.Spec.Parallelism)
	}
	pod := job.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Args[0] != "run" || !containsArg(c.Args, "--headless") {
		t.Errorf("args %v: want `run --headless ...`", c.Args)
	}
	// Every segment's N is the Job's completion count, its I the pod's index.
	if seg, _ := flagValue(c.Args, "segment"); seg != "$(JOB_COMPLETION_INDEX)/"+strconv.Itoa(n) {
		t.Errorf("--segment=%q, want $(JOB_COMPLETION_INDEX)/%d", seg, n)
	}
	// env maps each declared variable to its source: a field path, or "configmap/key".
	env := map[string]string{}
	for _, e := range c.Env {
		if ref := e.ValueFrom.ConfigMapKeyRef; ref.Name != "" {
			env[e.Name] = ref.Name + "/" + ref.Key
		} else {
			env[e.Name] = e.ValueFrom.FieldRef.FieldPath
		}
	}
	if env["JOB_COMPLETION_INDEX"] != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("JOB_COMPLETION_INDEX comes from %q: $(...) only expands declared variables", env["JOB_COMPLETION_INDEX"])
	}
	// Every $(VAR) in the args is declared, so Kubernetes expands it.
	for _, a := range c.Args {
		for _, m := range regexp.MustCompile(`\$\(([A-Z_]+)\)`).FindAllStringSubmatch(a, -1) {
			if _, ok := env[m[1]]; !ok {
				t.Errorf("arg %q uses $(%s), which the container does not declare", a, m[1])
			}
		}
	}
	if at, _ := flagValue(c.Args, "start-at"); at != "$(GUST_START_AT)" || env["GUST_START_AT"] != "gust-run/start-at" {
		t.Errorf("--start-at=%q from %q: want the shared gust-run ConfigMap's start-at", at, env["GUST_START_AT"])
	}
	if out, _ := flagValue(c.Args, "out"); !regexp.MustCompile(`^prometheus-rw=http://[^ ]+/api/v1/write$`).MatchString(out) {
		t.Errorf("--out=%q: want prometheus-rw=http://.../api/v1/write", out)
	}
	if tid, _ := flagValue(c.Args, "test-id"); tid == "" {
		t.Error("no --test-id: the segments' series would not share one testid")
	}

	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	vols := map[string]string{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v.ConfigMap.Name + v.PersistentVolumeClaim.ClaimName
	}
	// The script argument is a file of the mounted ConfigMap.
	script := c.Args[len(c.Args)-1]
	dir, file := filepath.Split(script)
	var scriptCM string
	for name, path := range mounts {
		if filepath.Clean(path) == filepath.Clean(dir) {
			scriptCM = vols[name]
		}
	}
	cms := map[string]object{}
	for _, o := range objs["ConfigMap"] {
		cms[o.Metadata.Name] = o
	}
	body, ok := cms[scriptCM].Data[file]
	if scriptCM == "" || !ok || !strings.Contains(body, `from "gust"`) {
		t.Errorf("script %s: no ConfigMap mounted at %s holds %s as a gust script (mounted: %q)", script, dir, file, scriptCM)
	}
	for _, e := range c.Env {
		if cm, k := e.ValueFrom.ConfigMapKeyRef.Name, e.ValueFrom.ConfigMapKeyRef.Key; cm != "" {
			if _, ok := cms[cm].Data[k]; !ok {
				t.Errorf("env %s reads ConfigMap %s key %s, which the manifests do not define", e.Name, cm, k)
			}
		}
	}
	// Results land on the shared volume, one file per segment.
	js, _ := flagValue(c.Args, "json")
	if !strings.HasPrefix(js, mounts["results"]+"/") || !strings.Contains(js, "$(JOB_COMPLETION_INDEX)") {
		t.Errorf("--json=%q: want a per-segment file under the results mount %q", js, mounts["results"])
	}
	var claims []string
	for _, o := range objs["PersistentVolumeClaim"] {
		claims = append(claims, o.Metadata.Name)
	}
	if vols["results"] == "" || !containsArg(claims, vols["results"]) {
		t.Errorf("results volume claims %q; claims defined: %v", vols["results"], claims)
	}
	// kustomization lists every manifest.
	if k := objs["Kustomization"]; len(k) == 1 {
		files, _ := filepath.Glob("k8s/*.yaml")
		for _, f := range files {
			if b := filepath.Base(f); b != "kustomization.yaml" && !containsArg(k[0].Resources, b) {
				t.Errorf("kustomization.yaml does not list %s", b)
			}
		}
	} else {
		t.Error("no kustomization.yaml")
	}
}

func containsArg(list []string, s string) bool {
	for _, a := range list {
		if a == s {
			return true
		}
	}
	return false
}

// The series gust writes (tsout); a dashboard query naming any other gust_ series shows nothing.
var gustSeries = regexp.MustCompile(`^gust_(requests_total|failures_total|users|response_time_seconds_(bucket|sum|count))$`)

func TestDashboard(t *testing.T) {
	b, err := os.ReadFile("grafana/gust-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if len(d.Panels) < 4 {
		t.Fatalf("%d panels", len(d.Panels))
	}
	seen := map[string]bool{}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			names := regexp.MustCompile(`gust_[a-z_]+`).FindAllString(tg.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q queries no gust_ series: %s", p.Title, tg.Expr)
			}
			for _, n := range names {
				if !gustSeries.MatchString(n) {
					t.Errorf("panel %q queries %s, which gust does not write", p.Title, n)
				}
				seen[n] = true
			}
			if !strings.Contains(tg.Expr, `testid=~"$testid"`) {
				t.Errorf("panel %q ignores the test selector: %s", p.Title, tg.Expr)
			}
		}
	}
	for _, n := range []string{"gust_requests_total", "gust_failures_total", "gust_users", "gust_response_time_seconds_bucket"} {
		if !seen[n] {
			t.Errorf("no panel shows %s", n)
		}
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/gust", "FROM gcr.io/distroless/static", `ENTRYPOINT ["/gust"]`} {
		if !strings.Contains(s, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	// The Go version the image builds with is at least the module's.
	mod, _ := os.ReadFile("../go.mod")
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	img := regexp.MustCompile(`FROM golang:(\d+\.\d+)`).FindStringSubmatch(s)
	if goVer == nil || img == nil || img[1] != string(goVer[1]) {
		t.Errorf("Dockerfile builds with golang:%v, go.mod wants go %s", img, goVer)
	}
}
