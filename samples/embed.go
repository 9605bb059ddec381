// Package samples holds the sample scripts; the seed locustfile is embedded so that
// `gust demo` works from any directory.
package samples

import _ "embed"

// Locustfile is samples/locustfile.js, the seed's locustfile in gust.
//
//go:embed locustfile.js
var Locustfile []byte
