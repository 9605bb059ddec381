package engine

import (
	"fmt"
	"net/url"
)

// CheckHost validates a base URL: http or https, with a host. It lives here, the one package
// that both js (a script's host, -H) and web (the start form's host) may import, so that the
// two never disagree on what a host is.
func CheckHost(host string) error {
	u, err := url.Parse(host)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("bad host %q: want a base URL like http://127.0.0.1:8000", host)
	}
	return nil
}
