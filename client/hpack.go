package client

import (
	"errors"
	"fmt"

	"golang.org/x/net/http2/hpack"
)

// Response header blocks are decoded here rather than by x/net's hpack.Decoder because a
// server such as nginx sends every response's fields as Huffman-coded literals with
// incremental indexing: x/net Huffman-decodes and allocates each of those strings again on
// every response, about 5% of the CPU a request costs. hpackReader remembers the wire bytes
// of the strings it decoded recently, so a block that repeats (as response headers do)
// decodes without Huffman work or allocation, and its dynamic table is a ring that stops
// allocating once grown.

const (
	// hpackMaxTable is the dynamic table's largest size: SETTINGS_HEADER_TABLE_SIZE's
	// default, which gust never changes, so a server may not announce more.
	hpackMaxTable = 4096
	// hpackEntryOverhead is RFC 7541's per-entry (and per-field, for the list size) overhead.
	hpackEntryOverhead = 32
	// hpackCacheSlots and hpackCacheMaxRaw bound the string cache of a connection (one per
	// virtual user): 32 strings of at most 64 wire bytes (at most 102 decoded), so 1.3 KB
	// of slots plus at most 5.3 KB of strings, typically a few hundred bytes. That holds
	// the fields a server repeats (server, content-type, date, cache headers) with room for
	// a few endpoints' worth; longer strings are rarely repeated verbatim.
	hpackCacheSlots  = 32
	hpackCacheMaxRaw = 64
	// hpackMaxIntBytes caps an integer's continuation bytes like x/net does (9, ending
	// below 2^63), so the two decoders never disagree; a value that large fails the table,
	// string or size limits anyway.
	hpackMaxIntBytes = 9
)

// hpackEntry is a name and value of the static or dynamic table.
type hpackEntry struct{ name, value string }

// hpackStatic is RFC 7541's static table (indexes 1..61), taken from x/net's decoder
// rather than typed again, so it cannot differ from the library's.
var hpackStatic = buildHpackStatic()

func buildHpackStatic() []hpackEntry {
	var t []hpackEntry
	dec := hpack.NewDecoder(hpackMaxTable, nil)
	for i := 1; ; i++ {
		fields, err := dec.DecodeFull([]byte{0x80 | byte(i)})
		if err != nil { // the first index past the static table (the dynamic one is empty)
			break
		}
		t = append(t, hpackEntry{fields[0].Name, fields[0].Value})
	}
	if len(t) != 61 {
		panic(fmt.Sprintf("hpack: x/net's static table has %d entries, RFC 7541's has 61", len(t)))
	}
	return t
}

// hpackString is a cached literal: its wire bytes, whether they are Huffman-coded and the
// decoded string. used is the CLOCK reference bit, so strings hit in every block survive a
// stream of one-off values (request ids, changing lengths) passing through the cache.
type hpackString struct {
	raw  string // the wire bytes (the same string as val when not Huffman-coded)
	val  string
	huff bool
	used bool
}

// hpackReader decodes the response header blocks of one HTTP/2 connection (RFC 7541).
type hpackReader struct {
	// The dynamic table: a ring of len(ring) (a power of two) slots holding n entries,
	// the newest at head; size is the RFC size of the entries and maxSize the current limit.
	ring    []hpackEntry
	head, n int
	size    int
	maxSize int

	cache [hpackCacheSlots]hpackString
	hand  int // the CLOCK hand: the next cache slot considered for replacement
}

// newHpackReader returns a decoder whose dynamic table may hold 4096 bytes, the
// SETTINGS_HEADER_TABLE_SIZE default (gust never announces another).
func newHpackReader() *hpackReader {
	return &hpackReader{maxSize: hpackMaxTable, head: -1}
}

var (
	errHpackTruncated      = errors.New("hpack: header block truncated")
	errHpackIntOverflow    = errors.New("hpack: integer longer than 63 bits")
	errHpackLateSizeUpdate = errors.New("hpack: dynamic table size update after a header field")
)

// decode decodes one whole header block (the caller joins HEADERS+CONTINUATION fragments).
// When keep, it appends the fields to fields and returns it; otherwise it only updates the
// dynamic table. It fails on a malformed block, on a header list larger than maxList bytes
// (RFC 7541's size: len(name)+len(value)+32 per field) or a string longer than maxList.
// After an error the table is undefined (the connection must end: COMPRESSION_ERROR), and
// fields comes back at its original length.
func (d *hpackReader) decode(block []byte, keep bool, fields []hpack.HeaderField, maxList int) ([]hpack.HeaderField, error) {
	base := len(fields)
	p, list, start := block, 0, true
	for len(p) > 0 {
		var f hpack.HeaderField
		var err error
		b := p[0]
		switch {
		case b&0x80 != 0: // indexed field
			var i uint64
			var e hpackEntry
			if i, p, err = hpackInt(p, 7); err == nil {
				e, err = d.at(i)
			}
			f.Name, f.Value = e.name, e.value
		case b&0xe0 == 0x20: // dynamic table size update
			if !start {
				err = errHpackLateSizeUpdate
				break
			}
			var v uint64
			if v, p, err = hpackInt(p, 5); err != nil {
				break
			}
			if v > hpackMaxTable {
				err = fmt.Errorf("hpack: dynamic table size update to %d, over the %d allowed", v, hpackMaxTable)
				break
			}
			d.maxSize = int(v)
			d.evict(d.maxSize)
			continue
		default: // a literal: with incremental indexing (01), without (0000) or never (0001)
			prefix, index := uint(4), b&0xc0 == 0x40
			if index {
				prefix = 6
			}
			f.Sensitive = b&0xf0 == 0x10
			var i uint64
			if i, p, err = hpackInt(p, prefix); err != nil {
				break
			}
			if i == 0 {
				f.Name, p, err = d.str(p, maxList)
			} else {
				var e hpackEntry
				e, err = d.at(i)
				f.Name = e.name
			}
			if err == nil {
				f.Value, p, err = d.str(p, maxList)
			}
			if err == nil && index {
				d.add(f.Name, f.Value)
			}
		}
		if err == errHpackTruncated {
			err = fmt.Errorf("hpack: header block truncated: the integer or string at byte %d runs past its end (%d bytes)", len(block)-len(p), len(block))
		}
		if err != nil {
			return fields[:base], err
		}
		start = false
		if list += len(f.Name) + len(f.Value) + hpackEntryOverhead; list > maxList {
			return fields[:base], fmt.Errorf("hpack: header list larger than %d bytes", maxList)
		}
		if keep {
			fields = append(fields, f)
		}
	}
	return fields, nil
}

// hpackInt reads an integer with an n-bit prefix (RFC 7541 section 5.1) off p, which is
// not empty, and returns the rest of p; on error p comes back unchanged.
func hpackInt(p []byte, n uint) (uint64, []byte, error) {
	mask := byte(1)<<n - 1
	v := uint64(p[0] & mask)
	if v < uint64(mask) {
		return v, p[1:], nil
	}
	for k := 1; k < len(p); k++ {
		b := p[k]
		v += uint64(b&0x7f) << (7 * (k - 1))
		if b&0x80 == 0 {
			return v, p[k+1:], nil
		}
		if k == hpackMaxIntBytes {
			return 0, p, errHpackIntOverflow
		}
	}
	return 0, p, errHpackTruncated
}

// at returns the entry at index i of the static table followed by the dynamic one.
func (d *hpackReader) at(i uint64) (hpackEntry, error) {
	switch {
	case i == 0:
		return hpackEntry{}, errors.New("hpack: invalid index 0 (indexes start at 1)")
	case i <= uint64(len(hpackStatic)):
		return hpackStatic[i-1], nil
	case i-uint64(len(hpackStatic)) <= uint64(d.n):
		k := int(i) - len(hpackStatic) // 1 is the newest entry
		return d.ring[(d.head-k+1)&(len(d.ring)-1)], nil
	}
	return hpackEntry{}, fmt.Errorf("hpack: invalid index %d (table has %d entries)", i, len(hpackStatic)+d.n)
}

// add inserts a field at the head of the dynamic table, first evicting the oldest entries
// until it fits; a field larger than the whole table empties it and is not added (RFC 7541
// section 4.4).
func (d *hpackReader) add(name, value string) {
	size := len(name) + len(value) + hpackEntryOverhead
	d.evict(d.maxSize - size)
	if size > d.maxSize {
		return
	}
	if d.n == len(d.ring) {
		d.grow()
	}
	d.head = (d.head + 1) & (len(d.ring) - 1)
	d.ring[d.head] = hpackEntry{name, value}
	d.n++
	d.size += size
}

// evict drops the oldest entries until the table's size is at most limit.
func (d *hpackReader) evict(limit int) {
	for d.size > limit && d.n > 0 {
		e := &d.ring[(d.head-d.n+1)&(len(d.ring)-1)]
		d.size -= len(e.name) + len(e.value) + hpackEntryOverhead
		*e = hpackEntry{} // let long strings go
		d.n--
	}
}

// grow doubles the ring, oldest entry first. A 4096-byte table holds at most 128 entries
// (each is at least 32 bytes), so the ring stops growing there.
func (d *hpackReader) grow() {
	ring := make([]hpackEntry, max(8, 2*len(d.ring)))
	for k := 0; k < d.n; k++ {
		ring[k] = d.ring[(d.head-d.n+1+k)&(len(d.ring)-1)]
	}
	d.ring, d.head = ring, d.n-1
}

// str reads a string literal (RFC 7541 section 5.2) off p and returns the rest of p.
func (d *hpackReader) str(p []byte, maxList int) (string, []byte, error) {
	if len(p) == 0 {
		return "", p, errHpackTruncated
	}
	huff := p[0]&0x80 != 0
	n, rest, err := hpackInt(p, 7)
	if err != nil {
		return "", p, err
	}
	if n > uint64(maxList) {
		return "", p, fmt.Errorf("hpack: a %d-byte string, over the %d-byte header list limit", n, maxList)
	}
	if n > uint64(len(rest)) {
		return "", p, errHpackTruncated
	}
	s, err := d.intern(rest[:n], huff)
	return s, rest[n:], err
}

// intern returns the string raw encodes: from the cache when these wire bytes were seen
// recently, else decoded and (when short) cached in the slot the CLOCK hand finds unused.
func (d *hpackReader) intern(raw []byte, huff bool) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	if len(raw) > hpackCacheMaxRaw {
		return hpackDecodeString(raw, huff)
	}
	for i := range d.cache {
		c := &d.cache[i]
		if len(c.raw) == len(raw) && c.huff == huff && c.raw == string(raw) {
			c.used = true
			return c.val, nil
		}
	}
	val, err := hpackDecodeString(raw, huff)
	if err != nil {
		return "", err
	}
	key := val
	if huff {
		key = string(raw)
	}
	for d.cache[d.hand].used {
		d.cache[d.hand].used = false
		d.hand = (d.hand + 1) % hpackCacheSlots
	}
	// A new string starts unreferenced: it survives the hand's next pass only if a later
	// block uses it again, so one-off values do not push out the ones every block repeats.
	d.cache[d.hand] = hpackString{raw: key, val: val, huff: huff}
	d.hand = (d.hand + 1) % hpackCacheSlots
	return val, nil
}

// hpackDecodeString decodes a string literal's bytes.
func hpackDecodeString(raw []byte, huff bool) (string, error) {
	if !huff {
		return string(raw), nil
	}
	s, err := hpack.HuffmanDecodeToString(raw)
	if err != nil {
		return "", fmt.Errorf("hpack: invalid Huffman code in a %d-byte string", len(raw))
	}
	return s, nil
}
