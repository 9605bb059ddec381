package client

// Sibling is Derive for concurrent use: a Client with opts and connections of its own that
// shares c's cookie jar, so that a user's concurrent requests (async requests, a batch) run at
// once over more connections and keep its session. The jar is created now, on c's owner
// goroutine, so that no sibling creates it while another reads it (the jar itself is safe for
// concurrent use). Call it from c's owner goroutine.
func (c *Client) Sibling(opts Options) *Client {
	c.jarFor()
	return c.Derive(opts)
}
