package client

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/net/http2/hpack"
)

// nginxBlock is the header block nginx sends for every response: all literals with
// incremental indexing, Huffman-coded (:status 200, server, date, content-type,
// content-length).
const nginxBlock = "88 76 89 aa 63 55 e5 80 ae 21 2e 1f 61 96 e4 59 3e 94 00 94 be 52 28 20 09 c5 00 d5 c6 81 71 a7 94 c5 a3 7f 5f 8b 1d 75 d0 62 0d 26 3d 4c 74 41 ea 5c 02 32 35"

func hexBlock(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goServerBlocks are what Go's HTTP/2 server sends for two responses in a row: literals
// with indexing the first time, then only indexed fields.
func goServerBlocks(t testing.TB) (first, repeat []byte) {
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	block := func() []byte {
		buf.Reset()
		for _, f := range []hpack.HeaderField{
			{Name: ":status", Value: "200"},
			{Name: "content-type", Value: "application/json"},
			{Name: "content-length", Value: "25"},
			{Name: "date", Value: "Tue, 02 Jun 2026 10:04:05 GMT"},
		} {
			if err := enc.WriteField(f); err != nil {
				t.Fatal(err)
			}
		}
		return bytes.Clone(buf.Bytes())
	}
	first, repeat = block(), block()
	if !bytes.Equal(repeat, []byte{0x88, 0xc0, 0xbf, 0xbe}) || first[1] != 0x5f {
		t.Fatalf("Go-server-like blocks are % x then % x", first, repeat)
	}
	return first, repeat
}

// xnetDecode decodes block with x/net's decoder, the reference.
func xnetDecode(ref *hpack.Decoder, block []byte) ([]hpack.HeaderField, error) {
	return ref.DecodeFull(block)
}

// listSize is RFC 7541's size of a header list.
func listSize(fields []hpack.HeaderField) int {
	n := 0
	for _, f := range fields {
		n += len(f.Name) + len(f.Value) + hpackEntryOverhead
	}
	return n
}

func sameFields(a, b []hpack.HeaderField) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

// The static table comes from x/net and matches RFC 7541's ends and a few known entries.
func TestHpackStaticTable(t *testing.T) {
	for i, want := range map[int]hpackEntry{
		1: {":authority", ""}, 2: {":method", "GET"}, 8: {":status", "200"},
		16: {"accept-encoding", "gzip, deflate"}, 54: {"server", ""}, 61: {"www-authenticate", ""},
	} {
		if got := hpackStatic[i-1]; got != want {
			t.Errorf("static %d = %q, want %q", i, got, want)
		}
	}
}

// randomList makes a header list mixing static-table names (sometimes with their value),
// a few custom names and values that repeat, random names and values (non-ASCII bytes
// included), empty and long values, and sensitive fields.
func randomList(rng *rand.Rand) []hpack.HeaderField {
	customNames := []string{"x-request-id", "x-trace", "cache-status", "x-a", "x-powered-by", "alt-svc"}
	pool := []string{"nginx/1.22.1", "application/json", "0", "25", "gzip", "max-age=3600", "no-cache", "*"}
	randBytes := func(n int, ascii bool) string {
		b := make([]byte, n)
		for i := range b {
			if ascii {
				b[i] = byte('a' + rng.IntN(26))
				if rng.IntN(6) == 0 {
					b[i] = " -/;=0123456789"[rng.IntN(15)]
				}
			} else {
				b[i] = byte(rng.IntN(256))
			}
		}
		return string(b)
	}
	list := make([]hpack.HeaderField, 1+rng.IntN(24))
	for i := range list {
		f := &list[i]
		switch r := rng.IntN(10); {
		case r < 4:
			e := hpackStatic[rng.IntN(len(hpackStatic))]
			f.Name = e.name
			if rng.IntN(3) == 0 {
				f.Value = e.value
			}
		case r < 7:
			f.Name = customNames[rng.IntN(len(customNames))]
		default:
			f.Name = randBytes(1+rng.IntN(20), rng.IntN(3) != 0)
		}
		if f.Value == "" {
			switch r := rng.IntN(20); {
			case r < 7:
				f.Value = pool[rng.IntN(len(pool))]
			case r < 11:
				f.Value = randBytes(rng.IntN(40), false)
			case r < 12:
				f.Value = ""
			case r < 13:
				f.Value = randBytes(rng.IntN(4000), rng.IntN(2) == 0)
			default:
				f.Value = randBytes(1+rng.IntN(30), true)
			}
		}
		f.Sensitive = rng.IntN(10) == 0
	}
	return list
}

// Thousands of random header lists, encoded by x/net's Encoder with table size changes
// between blocks, decode to the same fields with hpackReader as with x/net's Decoder,
// block after block on one connection; blocks decoded without keep still update the table.
func TestHpackReaderMatchesXnet(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 41))
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	ref := hpack.NewDecoder(hpackMaxTable, nil)
	d := newHpackReader()
	var got []hpack.HeaderField
	var list []hpack.HeaderField
	blocks := 4000
	if testing.Short() {
		blocks = 500
	}
	for n := range blocks {
		switch rng.IntN(12) {
		case 0:
			enc.SetMaxDynamicTableSize(uint32(rng.IntN(hpackMaxTable + 1)))
		case 1:
			enc.SetMaxDynamicTableSizeLimit(uint32(rng.IntN(hpackMaxTable + 1)))
		case 2: // two updates in one block: clear the table, then a new size
			enc.SetMaxDynamicTableSize(0)
			enc.SetMaxDynamicTableSize(uint32(rng.IntN(hpackMaxTable + 1)))
		case 3:
			enc.SetMaxDynamicTableSizeLimit(hpackMaxTable)
			enc.SetMaxDynamicTableSize(hpackMaxTable)
		}
		if n == 0 || rng.IntN(3) != 0 { // else the same list again, as responses repeat
			list = randomList(rng)
		}
		buf.Reset()
		for _, f := range list {
			if err := enc.WriteField(f); err != nil {
				t.Fatal(err)
			}
		}
		block := bytes.Clone(buf.Bytes())
		want, err := xnetDecode(ref, block)
		if err != nil {
			t.Fatalf("block %d: x/net: %v", n, err)
		}
		keep := rng.IntN(8) != 0
		got, err = d.decode(block, keep, got[:0], 1<<20)
		if err != nil {
			t.Fatalf("block %d (% x): %v", n, block, err)
		}
		if !keep {
			want = nil
		}
		if !sameFields(got, want) {
			t.Fatalf("block %d (% x):\n got %v\nwant %v", n, block, got, want)
		}
	}
}

// The nginx block decodes to x/net's fields every time, the second and third from cached
// strings, and the table grows by its four literals each time.
func TestHpackReaderNginxBlock(t *testing.T) {
	block := hexBlock(t, nginxBlock)
	ref := hpack.NewDecoder(hpackMaxTable, nil)
	d := newHpackReader()
	for round := 1; round <= 3; round++ {
		want, err := xnetDecode(ref, block)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.decode(block, true, nil, maxHeaderBytes)
		if err != nil || !sameFields(got, want) {
			t.Fatalf("round %d: got %v, %v; want %v", round, got, err, want)
		}
		if got[1].Value != "nginx/1.22.1" || got[3].Value != "application/json" || got[4].Value != "25" || got[2].Name != "date" {
			t.Fatalf("round %d: fields %v", round, got)
		}
		if d.n != 4*round {
			t.Fatalf("round %d: %d dynamic entries, want %d", round, d.n, 4*round)
		}
	}
}

// Test blocks built by hand: hInt encodes an integer with an n-bit prefix under first's
// flag bits, hStr a string literal.
func hInt(first byte, n uint, v uint64) []byte {
	mask := uint64(1)<<n - 1
	if v < mask {
		return []byte{first | byte(v)}
	}
	b := []byte{first | byte(mask)}
	for v -= mask; v >= 128; v >>= 7 {
		b = append(b, byte(v&0x7f)|0x80)
	}
	return append(b, byte(v))
}

func hStr(s string, huff bool) []byte {
	if !huff {
		return append(hInt(0, 7, uint64(len(s))), s...)
	}
	h := hpack.AppendHuffmanString(nil, s)
	return append(hInt(0x80, 7, uint64(len(h))), h...)
}

func hCat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// decodeOK decodes block on d and checks the fields against want ("name=value", in order).
func decodeOK(t *testing.T, d *hpackReader, block []byte, want ...string) {
	t.Helper()
	got, err := d.decode(block, true, nil, maxHeaderBytes)
	if err != nil {
		t.Fatalf("% x: %v", block, err)
	}
	var s []string
	for _, f := range got {
		s = append(s, f.Name+"="+f.Value)
	}
	if fmt.Sprint(s) != fmt.Sprint(want) {
		t.Fatalf("% x: got %q, want %q", block, s, want)
	}
}

// decodeErr decodes block on a fresh reader and checks the error names the problem.
func decodeErr(t *testing.T, block []byte, maxList int, want string) {
	t.Helper()
	_, err := newHpackReader().decode(block, true, nil, maxList)
	if err == nil || !strings.HasPrefix(err.Error(), "hpack: ") || !strings.Contains(err.Error(), want) {
		t.Fatalf("% x: error %v, want one with %q", block, err, want)
	}
}

// Literals with incremental indexing, with new and indexed names, then indexed references
// to them: the newest entry is 62.
func TestHpackReaderIndexing(t *testing.T) {
	d := newHpackReader()
	decodeOK(t, d, hCat([]byte{0x40}, hStr("x-a", false), hStr("1", false), []byte{0x40}, hStr("x-b", true), hStr("two", true)),
		"x-a=1", "x-b=two")
	decodeOK(t, d, []byte{0xbe, 0xbf}, "x-b=two", "x-a=1")
	// Name from entry 63 (x-a), new value, indexed: now x-a=2, x-b=two, x-a=1.
	decodeOK(t, d, hCat(hInt(0x40, 6, 63), hStr("2", false), []byte{0xbe, 0xbf, 0xc0}), "x-a=2", "x-a=2", "x-b=two", "x-a=1")
	// Without indexing and never indexed add nothing; never indexed is Sensitive.
	got, err := d.decode(hCat(hInt(0, 4, 62), hStr("3", false), hInt(0x10, 4, 0), hStr("x-s", false), hStr("secret", true), []byte{0xc0}), true, nil, maxHeaderBytes)
	want := []hpack.HeaderField{{Name: "x-a", Value: "3"}, {Name: "x-s", Value: "secret", Sensitive: true}, {Name: "x-a", Value: "1"}}
	if err != nil || !sameFields(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	// keep false leaves fields alone but still indexes.
	pre := []hpack.HeaderField{{Name: "k", Value: "v"}}
	got, err = d.decode(hCat([]byte{0x40}, hStr("x-c", false), hStr("4", false)), false, pre, maxHeaderBytes)
	if err != nil || !sameFields(got, pre) {
		t.Fatalf("keep=false: %v, %v", got, err)
	}
	decodeOK(t, d, []byte{0xbe}, "x-c=4")
}

// A size update to 0 empties the table; one back to 4096 lets it fill again; updates may
// only lead a block, at most 4096.
func TestHpackReaderSizeUpdates(t *testing.T) {
	d := newHpackReader()
	decodeOK(t, d, hCat([]byte{0x40}, hStr("x-a", false), hStr("1", false)), "x-a=1")
	decodeOK(t, d, hCat([]byte{0x20}, hInt(0x20, 5, 4096), []byte{0x88}), ":status=200")
	if d.n != 0 || d.size != 0 || d.maxSize != 4096 {
		t.Fatalf("after 0 then 4096: %d entries, %d bytes, max %d", d.n, d.size, d.maxSize)
	}
	if _, err := d.decode([]byte{0xbe}, true, nil, maxHeaderBytes); err == nil || err.Error() != "hpack: invalid index 62 (table has 61 entries)" {
		t.Fatalf("index 62 of an emptied table: %v", err)
	}
	decodeOK(t, d, hCat([]byte{0x40}, hStr("x-b", false), hStr("2", false), []byte{0xbe}), "x-b=2", "x-b=2")
	decodeOK(t, d, []byte{0x20}) // an update alone is a whole block
	// Two updates may lead a block (the smallest size since the last block, then the
	// final one): the first evicts.
	decodeOK(t, d, hCat([]byte{0x40}, hStr("x-c", false), hStr("3", false)), "x-c=3")
	decodeOK(t, d, hCat(hInt(0x20, 5, 20), hInt(0x20, 5, 4096), []byte{0x88}), ":status=200")
	if d.n != 0 || d.maxSize != 4096 {
		t.Fatalf("after 20 then 4096: %d entries, max %d", d.n, d.maxSize)
	}
	decodeErr(t, hInt(0x20, 5, 4097), maxHeaderBytes, "size update to 4097")
	decodeErr(t, []byte{0x88, 0x20}, maxHeaderBytes, "size update after a header field")
	decodeErr(t, []byte{0x88, 0x3f, 0xe1, 0x1f}, maxHeaderBytes, "size update after a header field")
}

// Entries are evicted oldest first when an insert or a smaller size needs room, and an
// entry larger than the table empties it.
func TestHpackReaderEviction(t *testing.T) {
	d := newHpackReader()
	entry := func(name string) []byte { return hCat([]byte{0x40}, hStr(name, false), hStr("0123456789", false)) } // 44 bytes
	decodeOK(t, d, hCat(hInt(0x20, 5, 100), entry("a1"), entry("a2")), "a1=0123456789", "a2=0123456789")
	decodeOK(t, d, hCat(entry("a3"), []byte{0xbe, 0xbf}), "a3=0123456789", "a3=0123456789", "a2=0123456789")
	if _, err := d.decode([]byte{0xc0}, true, nil, maxHeaderBytes); err == nil || err.Error() != "hpack: invalid index 64 (table has 63 entries)" {
		t.Fatalf("evicted entry 64: %v", err)
	}
	if d.n != 2 || d.size != 88 {
		t.Fatalf("%d entries of %d bytes, want 2 of 88", d.n, d.size)
	}
	decodeOK(t, d, hCat(hInt(0x20, 5, 50), []byte{0xbe}), "a3=0123456789")
	if d.n != 1 || d.size != 44 {
		t.Fatalf("after shrinking to 50: %d entries of %d bytes", d.n, d.size)
	}
	decodeOK(t, d, hCat([]byte{0x40}, hStr("big", false), hStr(strings.Repeat("v", 20), false)), "big="+strings.Repeat("v", 20))
	if d.n != 0 || d.size != 0 {
		t.Fatalf("an entry larger than the table left %d entries of %d bytes", d.n, d.size)
	}
	// The ring wraps and grows without losing order: 300 inserts in a 4096-byte table.
	decodeOK(t, d, hInt(0x20, 5, 4096))
	for i := range 300 {
		name := fmt.Sprintf("n%03d", i)
		decodeOK(t, d, hCat([]byte{0x40}, hStr(name, false), hStr("0123456789", false), []byte{0xbe}), name+"=0123456789", name+"=0123456789")
	}
	if d.n != 4096/46 || len(d.ring) != 128 {
		t.Fatalf("%d entries in a ring of %d, want %d in 128", d.n, len(d.ring), 4096/46)
	}
	decodeOK(t, d, hInt(0x80, 7, uint64(61+d.n)), "n211=0123456789")
}

// Every cut of valid blocks fails as truncated unless it falls between fields, where it
// decodes like x/net; never a panic.
func TestHpackReaderTruncated(t *testing.T) {
	first, _ := goServerBlocks(t)
	mixed := hCat(hInt(0x20, 5, 4000), []byte{0x40}, hStr("x-long", false), hStr(strings.Repeat("z", 300), true),
		hInt(0x10, 4, 20), hStr("never", false), hInt(0x80, 7, 62))
	for _, block := range [][]byte{hexBlock(t, nginxBlock), first, mixed} {
		cuts := 0
		for k := 1; k < len(block); k++ {
			want, werr := xnetDecode(hpack.NewDecoder(hpackMaxTable, nil), block[:k])
			got, err := newHpackReader().decode(block[:k], true, nil, maxHeaderBytes)
			switch {
			case werr != nil && err != nil:
				cuts++
				if !strings.Contains(err.Error(), "hpack: header block truncated") {
					t.Fatalf("cut at %d of % x: %v", k, block, err)
				}
			case werr != nil || err != nil || !sameFields(got, want):
				t.Fatalf("cut at %d of % x: got %v, %v; x/net %v, %v", k, block, got, err, want, werr)
			}
		}
		if cuts < len(block)/2 {
			t.Fatalf("only %d of %d cuts failed", cuts, len(block))
		}
	}
}

// Malformed blocks fail with an error saying what is wrong.
func TestHpackReaderMalformed(t *testing.T) {
	lit := func(value []byte) []byte { return hCat([]byte{0x00}, hStr("x", false), value) }
	for _, c := range []struct {
		name    string
		block   []byte
		maxList int
		want    string
	}{
		{"index 0", []byte{0x80}, maxHeaderBytes, "invalid index 0"},
		{"index past the static table", []byte{0xbe}, maxHeaderBytes, "invalid index 62 (table has 61 entries)"},
		{"huge index", hInt(0x80, 7, 1<<40), maxHeaderBytes, "invalid index 1099511627776"},
		{"literal name index past the table", hCat(hInt(0x40, 6, 70), hStr("v", false)), maxHeaderBytes, "invalid index 70"},
		{"size update over 4096", hInt(0x20, 5, 4097), maxHeaderBytes, "over the 4096 allowed"},
		{"size update after a field", []byte{0x88, 0x20}, maxHeaderBytes, "after a header field"},
		{"Huffman padding over 7 bits", lit([]byte{0x82, 0x1f, 0xff}), maxHeaderBytes, "invalid Huffman code in a 2-byte string"},
		{"Huffman padding not all ones", lit([]byte{0x81, 0x18}), maxHeaderBytes, "invalid Huffman code"},
		{"Huffman EOS", lit([]byte{0x84, 0xff, 0xff, 0xff, 0xff}), maxHeaderBytes, "invalid Huffman code"},
		{"bad Huffman name", hCat([]byte{0x40, 0x81, 0x00}, hStr("v", false)), maxHeaderBytes, "invalid Huffman code"},
		{"integer overflow", append([]byte{0xff}, bytes.Repeat([]byte{0xff}, 20)...), maxHeaderBytes, "integer longer than 63 bits"},
		{"string length overflow", append([]byte{0x00, 0x7f}, bytes.Repeat([]byte{0xff}, 20)...), maxHeaderBytes, "integer longer than 63 bits"},
		{"string longer than maxList", lit(hStr(strings.Repeat("v", 100), false)), 50, "a 100-byte string, over the 50-byte"},
		{"huge string length", lit(hInt(0, 7, 1<<50)), maxHeaderBytes, "string, over the 65536-byte"},
		{"list over maxList", bytes.Repeat([]byte{0x88}, 10), 419, "header list larger than 419 bytes"},
		{"Huffman string that decodes past maxList", lit(hStr(strings.Repeat("0", 60), true)), 90, "header list larger than 90 bytes"},
		{"truncated string", lit([]byte{0x05, 'a'}), maxHeaderBytes, "truncated: the integer or string at byte 3 runs past its end (5 bytes)"},
	} {
		t.Run(c.name, func(t *testing.T) { decodeErr(t, c.block, c.maxList, c.want) })
	}
	// A list of exactly maxList bytes is fine.
	if _, err := newHpackReader().decode(bytes.Repeat([]byte{0x88}, 10), true, nil, 420); err != nil {
		t.Fatal(err)
	}
}

// A repeated block decodes without allocating: nginx's literals come from the string cache,
// Go's indexed fields from the tables.
func TestHpackReaderRepeatAllocatesNothing(t *testing.T) {
	first, repeat := goServerBlocks(t)
	for _, c := range []struct {
		name   string
		blocks [][]byte // decoded once each, then the last one repeatedly
		fields int
	}{{"nginx", [][]byte{hexBlock(t, nginxBlock)}, 5}, {"goserver", [][]byte{first, repeat}, 4}} {
		blocks := c.blocks
		d := newHpackReader()
		var fields []hpack.HeaderField
		var err error
		for _, b := range blocks {
			fields, err = d.decode(b, true, fields[:0], maxHeaderBytes)
		}
		block := blocks[len(blocks)-1]
		for range 100 { // grow the ring to its largest
			fields, err = d.decode(block, true, fields[:0], maxHeaderBytes)
		}
		allocs := testing.AllocsPerRun(200, func() {
			fields, err = d.decode(block, true, fields[:0], maxHeaderBytes)
		})
		if err != nil || allocs != 0 || len(fields) != c.fields {
			t.Errorf("%s: %v allocations per block, %d fields, %v", c.name, allocs, len(fields), err)
		}
	}
}

// The cache keeps the strings every block repeats while a stream of one-off values (a
// content-length that changes with each response) passes through it.
func TestHpackReaderCacheKeepsHotStrings(t *testing.T) {
	nginx := hexBlock(t, nginxBlock)
	stable := nginx[:len(nginx)-4] // all but content-length
	d := newHpackReader()
	firstFields, err := d.decode(nginx, true, nil, maxHeaderBytes)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		block := hCat(stable, []byte{0x5c}, hStr(fmt.Sprint(1000+i), i%2 == 0))
		if _, err := d.decode(block, true, nil, maxHeaderBytes); err != nil {
			t.Fatal(err)
		}
	}
	// Still the strings decoded by the first block: never pushed out and decoded again.
	fields, err := d.decode(nginx, true, nil, maxHeaderBytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{1, 3} {
		if unsafe.StringData(fields[i].Value) != unsafe.StringData(firstFields[i].Value) {
			t.Errorf("%q was pushed out of the cache by one-off values", fields[i].Value)
		}
	}
	// The same wire bytes, plain and Huffman-coded, are different strings.
	decodeOK(t, d, []byte{0x00, 0x01, 'x', 0x01, 0x1f, 0x00, 0x01, 'x', 0x81, 0x1f, 0x00, 0x01, 'x', 0x01, 0x1f}, "x=\x1f", "x=a", "x=\x1f")
	// A string longer than the cache takes is decoded but not cached.
	long := strings.Repeat("q", 2*hpackCacheMaxRaw)
	decodeOK(t, d, hCat([]byte{0x00}, hStr("x-long", false), hStr(long, false)), "x-long="+long)
	for _, c := range d.cache {
		if len(c.raw) > hpackCacheMaxRaw {
			t.Fatalf("cached a %d-byte string", len(c.raw))
		}
	}
}

// errors.Is works on the sentinel the fuzz comparison relies on.
func TestHpackReaderLateSizeUpdateSentinel(t *testing.T) {
	_, err := newHpackReader().decode([]byte{0x88, 0x20}, true, nil, maxHeaderBytes)
	if !errors.Is(err, errHpackLateSizeUpdate) {
		t.Fatal(err)
	}
}
