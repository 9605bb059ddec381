package convert

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"
)

// The parts of a HAR 1.2 file (a browser's or a proxy's recording) that a script needs.
type harFile struct {
	Log struct {
		Pages   []harPage  `json:"pages"`
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harPage struct {
	ID              string `json:"id"`
	Title           string `json:"title"`
	StartedDateTime string `json:"startedDateTime"`
}

type harEntry struct {
	PageRef         string `json:"pageref"`
	StartedDateTime string `json:"startedDateTime"`
	Request         struct {
		Method   string    `json:"method"`
		URL      string    `json:"url"`
		Headers  []harPair `json:"headers"`
		PostData *struct {
			MimeType string    `json:"mimeType"`
			Text     string    `json:"text"`
			Params   []harPair `json:"params"`
		} `json:"postData"`
	} `json:"request"`
	Response struct {
		Status      int    `json:"status"`
		RedirectURL string `json:"redirectURL"`
		Content     struct {
			MimeType string `json:"mimeType"`
		} `json:"content"`
	} `json:"response"`
}

type harPair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HAROptions choose what a HAR conversion keeps.
type HAROptions struct {
	All    bool   // keep static assets and third-party hosts
	Source string // the file's name, for the script's header comment
}

// noiseHeaders are what a browser adds by itself, or what gust's client sets (Host,
// Content-Length, Accept-Encoding, cookies from its jar): replaying them would only pin one
// browser's session into the script.
var noiseHeaders = map[string]bool{
	"host": true, "connection": true, "content-length": true, "accept-encoding": true,
	"accept-language": true, "cookie": true, "user-agent": true, "referer": true, "origin": true,
	"pragma": true, "cache-control": true, "dnt": true, "upgrade-insecure-requests": true,
	"if-none-match": true, "if-modified-since": true, "priority": true, "te": true,
	"keep-alive": true, "purpose": true, "sec-purpose": true,
}

// staticExt are the path extensions of static assets.
var staticExt = map[string]bool{
	".js": true, ".mjs": true, ".css": true, ".png": true, ".jpg": true, ".jpeg": true,
	".gif": true, ".svg": true, ".ico": true, ".webp": true, ".avif": true, ".woff": true,
	".woff2": true, ".ttf": true, ".otf": true, ".eot": true, ".map": true, ".mp4": true,
	".webm": true, ".mp3": true,
}

// HAR converts a HAR recording into a gust script: one task per page of the recording, in
// order, in a SequentialTaskSet. A recording without pages (as proxies write them) is one page.
func HAR(data []byte, o HAROptions) (string, error) {
	var f harFile
	if err := json.Unmarshal(data, &f); err != nil {
		return "", fmt.Errorf("not a HAR file: %v", err)
	}
	if len(f.Log.Entries) == 0 {
		return "", fmt.Errorf("the HAR file has no entries (log.entries)")
	}
	entries := f.Log.Entries
	sort.SliceStable(entries, func(i, j int) bool {
		return harTime(entries[i].StartedDateTime).Before(harTime(entries[j].StartedDateTime))
	})
	host, err := mainHost(entries)
	if err != nil {
		return "", err
	}

	// Pages in the order they started; entries join their page, or the one page.
	type page struct {
		title string
		reqs  []string
	}
	var pages []*page
	byID := map[string]*page{}
	for _, p := range f.Log.Pages {
		pg := &page{title: p.Title}
		byID[p.ID] = pg
		pages = append(pages, pg)
	}
	var loose *page
	skipped := 0
	var redirectTo string
	for _, e := range entries {
		u, err := url.Parse(e.Request.URL)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("entry %s %q: not an absolute URL", e.Request.Method, e.Request.URL)
		}
		// The client follows redirects itself: the recorded follow-up is not sent again.
		if redirectTo != "" && sameURL(redirectTo, u) {
			redirectTo = ""
			skipped++
			continue
		}
		redirectTo = ""
		if e.Response.Status >= 300 && e.Response.Status < 400 && e.Response.RedirectURL != "" {
			if r, err := u.Parse(e.Response.RedirectURL); err == nil {
				redirectTo = r.String()
			}
		}
		if !o.All && (u.Scheme+"://"+u.Host != host || isStatic(u, e.Response.Content.MimeType)) {
			skipped++
			continue
		}
		pg := byID[e.PageRef]
		if pg == nil {
			if loose == nil {
				loose = &page{}
				pages = append(pages, loose)
			}
			pg = loose
		}
		pg.reqs = append(pg.reqs, requestLine(e, u, host))
	}

	var b strings.Builder
	total := 0
	var tasks []string
	var bodies []string
	for _, pg := range pages {
		if len(pg.reqs) == 0 {
			continue
		}
		total += len(pg.reqs)
		name := fmt.Sprintf("page%d", len(tasks)+1)
		tasks = append(tasks, name)
		var m strings.Builder
		if pg.title != "" {
			fmt.Fprintf(&m, "  // %s\n", oneLine(pg.title))
		}
		fmt.Fprintf(&m, "  %s() {\n", name)
		for _, r := range pg.reqs {
			m.WriteString("    " + r + "\n")
		}
		m.WriteString("  }\n")
		bodies = append(bodies, m.String())
	}
	if total == 0 {
		return "", fmt.Errorf("every request of the recording is a static asset or on another host than %s (--all keeps them)", host)
	}
	src := o.Source
	if src == "" {
		src = "a HAR recording"
	}
	fmt.Fprintf(&b, "// Converted by `gust convert` from %s: %s in %s", oneLine(src), plural(total, "request"), plural(len(tasks), "page"))
	if skipped > 0 {
		fmt.Fprintf(&b, "; %d static assets, third-party requests and followed redirects left out (--all keeps assets and other hosts)", skipped)
	}
	b.WriteString(".\n// Each page is a task; the journey runs them in the recorded order, then starts again.\n")
	if strings.Contains(strings.Join(bodies, ""), `Authorization: `) || strings.Contains(strings.Join(bodies, ""), `"Authorization"`) {
		b.WriteString("// The recording carries an Authorization header: a token that expires. Log in in onStart instead.\n")
	}
	b.WriteString("import { HttpUser, SequentialTaskSet, constant } from \"gust\";\n\n")
	b.WriteString("class Recording extends SequentialTaskSet {\n")
	fmt.Fprintf(&b, "  static tasks = %s;\n\n", jsValue(tasks))
	b.WriteString(strings.Join(bodies, "\n"))
	b.WriteString("}\n\n")
	b.WriteString("export class RecordedUser extends HttpUser {\n")
	fmt.Fprintf(&b, "  static host = %s;\n", jsValue(host))
	b.WriteString("  static waitTime = constant(1); // seconds between pages\n")
	b.WriteString("  static tasks = [Recording];\n}\n")
	return b.String(), nil
}

// mainHost is the scheme and host of the first document the recording loaded (else of its first
// request): the host of the class, the others being third parties.
func mainHost(entries []harEntry) (string, error) {
	pick := -1
	for i, e := range entries {
		if strings.Contains(e.Response.Content.MimeType, "html") {
			pick = i
			break
		}
	}
	if pick < 0 {
		pick = 0
	}
	u, err := url.Parse(entries[pick].Request.URL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("entry %q: not an absolute URL", entries[pick].Request.URL)
	}
	return u.Scheme + "://" + u.Host, nil
}

func isStatic(u *url.URL, mime string) bool {
	if staticExt[strings.ToLower(path.Ext(u.Path))] {
		return true
	}
	m := strings.ToLower(mime)
	for _, p := range []string{"image/", "font/", "text/css", "javascript", "audio/", "video/"} {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}

func sameURL(a string, u *url.URL) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(u.String(), "/")
}

func harTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// requestLine is one this.client call replaying e.
func requestLine(e harEntry, u *url.URL, host string) string {
	target := u.RequestURI()
	if u.Scheme+"://"+u.Host != host {
		target = u.String()
	}
	var opts []string
	if n := groupedName(u.EscapedPath()); n != "" {
		opts = append(opts, "name: "+jsValue(n))
	}
	headers := map[string]string{}
	var headerOrder []string
	contentType := ""
	for _, h := range e.Request.Headers {
		k := strings.ToLower(h.Name)
		if strings.HasPrefix(k, ":") || strings.HasPrefix(k, "sec-") || noiseHeaders[k] {
			continue
		}
		if k == "content-type" {
			contentType = h.Value
			continue
		}
		if _, dup := headers[h.Name]; !dup {
			headerOrder = append(headerOrder, h.Name)
		}
		headers[h.Name] = h.Value
	}
	if pd := e.Request.PostData; pd != nil && (pd.Text != "" || len(pd.Params) > 0) {
		mime := strings.ToLower(pd.MimeType)
		if mime == "" {
			mime = strings.ToLower(contentType)
		}
		var v any
		switch {
		case strings.Contains(mime, "json") && json.Unmarshal([]byte(pd.Text), &v) == nil:
			opts = append(opts, "json: "+strings.TrimSpace(pd.Text))
			contentType = ""
		case strings.HasPrefix(mime, "application/x-www-form-urlencoded"):
			form := map[string]string{}
			var order []string
			add := func(k, val string) {
				if _, ok := form[k]; !ok {
					order = append(order, k)
				}
				form[k] = val
			}
			if len(pd.Params) > 0 {
				for _, p := range pd.Params {
					add(p.Name, p.Value)
				}
			} else if q, err := url.ParseQuery(pd.Text); err == nil {
				for _, p := range strings.Split(pd.Text, "&") {
					k, _, _ := strings.Cut(p, "=")
					if k, err := url.QueryUnescape(k); err == nil {
						add(k, q.Get(k))
					}
				}
			}
			opts = append(opts, "form: "+jsObject(order, form))
			contentType = ""
		default:
			opts = append(opts, "body: "+jsValue(pd.Text))
			if contentType == "" {
				contentType = pd.MimeType
			}
		}
	}
	if contentType != "" {
		headerOrder = append(headerOrder, "Content-Type")
		headers["Content-Type"] = contentType
	}
	if len(headerOrder) > 0 {
		opts = append([]string{"headers: " + jsObject(headerOrder, headers)}, opts...)
	}
	method := strings.ToUpper(e.Request.Method)
	args := jsValue(target)
	if len(opts) > 0 {
		args += ", { " + strings.Join(opts, ", ") + " }"
	}
	switch method {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return fmt.Sprintf("this.client.%s(%s);", strings.ToLower(method), args)
	}
	return fmt.Sprintf("this.client.request(%s, %s);", jsValue(method), args)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
