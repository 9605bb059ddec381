package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestClientFlags(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, []byte("not a certificate"), 0o644)
	for _, tt := range []struct {
		args []string
		err  string
	}{
		{[]string{"--max-body", "1MiB", "--insecure", "--http2", "--no-keepalive", "--resolve", "api.example:443:127.0.0.1", "--proxy", "http://127.0.0.1:3128"}, ""},
		{[]string{"--max-body", "lots"}, `--max-body "lots"`},
		{[]string{"--cacert", ca}, "no PEM certificate"},
		{[]string{"--resolve", "api.example:127.0.0.1"}, `--resolve "api.example:127.0.0.1"`},
		{[]string{"--proxy", "socks5://127.0.0.1:1"}, `--proxy "socks5://127.0.0.1:1"`},
	} {
		var f runFlags
		fs := newRunFlagSet(&f)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		o, err := f.client.Options(time.Second)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if o.MaxBodyBytes != 1<<20 || !o.TLSConfig.InsecureSkipVerify || !o.HTTP2 || !o.NoKeepAlive ||
			o.Resolve["api.example:443"] != "127.0.0.1:443" || o.Proxy != "http://127.0.0.1:3128" || o.Timeout != time.Second {
			t.Errorf("options %+v", o)
		}
	}
}
