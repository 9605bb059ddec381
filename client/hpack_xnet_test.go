package client

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/http2/hpack"
)

// FuzzHpackReader decodes three blocks in a row (the second maybe without keep) with
// hpackReader and x/net's Decoder: both fail, or both give the same fields. The decoders
// may disagree only where hpackReader follows RFC 7541 more closely: it refuses a size
// update after a field even when the table is empty, accepts two size updates leading a
// block, and limits the list size, which x/net leaves to its caller.
func FuzzHpackReader(f *testing.F) {
	nginx := hexBlock(f, nginxBlock)
	first, repeat := goServerBlocks(f)
	f.Add(nginx, nginx, nginx, true)
	f.Add(first, repeat, repeat, false)
	f.Add([]byte{0x20, 0x3f, 0xe1, 0x1f, 0x88}, []byte{0x40, 0x81, 0x1f, 0x82, 0x1f, 0xff, 0xbe}, []byte{0x80}, true)
	f.Add(hCat(hInt(0x20, 5, 100), []byte{0x10, 0x01, 'k', 0x8f}), []byte{0x7f, 0x05, 0x00, 0xbe}, bytes.Repeat([]byte{0x88}, 60), true)
	const maxList = 2048
	f.Fuzz(func(t *testing.T, a, b, c []byte, keepB bool) {
		d := newHpackReader()
		ref := hpack.NewDecoder(hpackMaxTable, nil)
		ref.SetMaxStringLength(maxList)
		for i, block := range [][]byte{a, b, c} {
			keep := i != 1 || keepB
			want, werr := xnetDecode(ref, block)
			got, err := d.decode(block, keep, nil, maxList)
			if err != nil && !strings.HasPrefix(err.Error(), "hpack: ") {
				t.Fatalf("error without the hpack prefix: %v", err)
			}
			switch {
			case err != nil && werr != nil:
				return // both fail; the connection would end here
			case err != nil:
				if !errors.Is(err, errHpackLateSizeUpdate) && listSize(want) <= maxList {
					t.Fatalf("block %d (% x): %v; x/net decodes %v", i, block, err, want)
				}
				return
			case werr != nil:
				if !strings.Contains(werr.Error(), "MUST occur at the beginning") {
					t.Fatalf("block %d (% x): x/net fails (%v); got %v", i, block, werr, got)
				}
				return
			}
			if listSize(want) > maxList {
				t.Fatalf("block %d (% x): a %d-byte list passed the %d limit", i, block, listSize(want), maxList)
			}
			if !keep {
				want = nil
			}
			if !sameFields(got, want) {
				t.Fatalf("block %d (% x):\n got %v\nwant %v", i, block, got, want)
			}
		}
	})
}

// BenchmarkHpackReader decodes a response's header block as nginx sends it (literals with
// indexing, every time) and as Go's server does (indexed fields after the first response),
// with hpackReader ("gust") and with x/net's Decoder used as h2.go used it ("xnet").
func BenchmarkHpackReader(b *testing.B) {
	first, repeat := goServerBlocks(b)
	for _, c := range []struct {
		name   string
		blocks [][]byte // decoded once each, then the last one repeatedly
	}{
		{"nginx", [][]byte{hexBlock(b, nginxBlock)}},
		{"goserver", [][]byte{first, repeat}},
	} {
		last := c.blocks[len(c.blocks)-1]
		b.Run(c.name+"/gust", func(b *testing.B) {
			d := newHpackReader()
			var fields []hpack.HeaderField
			var err error
			for _, block := range c.blocks {
				fields, err = d.decode(block, true, fields[:0], maxHeaderBytes)
			}
			b.ReportAllocs()
			for b.Loop() {
				fields, err = d.decode(last, true, fields[:0], maxHeaderBytes)
			}
			if err != nil || len(fields) < 4 {
				b.Fatal(fields, err)
			}
		})
		b.Run(c.name+"/xnet", func(b *testing.B) {
			var fields []hpack.HeaderField
			listLen := 0
			dec := hpack.NewDecoder(hpackMaxTable, func(f hpack.HeaderField) {
				listLen += len(f.Name) + len(f.Value) + hpackEntryOverhead
				fields = append(fields, f)
			})
			dec.SetMaxStringLength(maxHeaderBytes)
			run := func(block []byte) {
				fields, listLen = fields[:0], 0
				if _, err := dec.Write(block); err != nil {
					b.Fatal(err)
				}
				if err := dec.Close(); err != nil || listLen > maxHeaderBytes {
					b.Fatal(err)
				}
			}
			for _, block := range c.blocks {
				run(block)
			}
			b.ReportAllocs()
			for b.Loop() {
				run(last)
			}
			if len(fields) < 4 {
				b.Fatal(fields)
			}
		})
	}
}
