// Package srcaddr spreads outgoing connections over several local source addresses
// (--local-ips, as k6's). One source address has about 28,000 ephemeral ports toward one target
// address and port (Linux's default 32768-60999); past that, connects fail with EADDRNOTAVAIL.
// Giving each connection the next address of a list multiplies the ports available: on Linux
// every address of 127.0.0.0/8 is local, and a NIC can carry several addresses.
//
// Wiring (client imports no project package, so it takes a plain function):
//
//	pool, err := srcaddr.Parse(flags.localIPs)   // "127.0.0.2-127.0.0.9", "10.0.0.0/29,10.0.1.5"
//	if err == nil { err = pool.Check() }           // fail at start, not on the first request
//	client.Options{LocalAddr: pool.Next, ...}      // client/client.go's dial: d.LocalAddr = c.localAddr()
package srcaddr

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync/atomic"
)

// Pool is a set of source addresses handed out round robin. It is safe for concurrent use.
type Pool struct {
	spec   string
	ranges []span
	ends   []uint64 // ends[i] is the number of addresses in ranges[:i+1]
	next   atomic.Uint64
}

// span is an inclusive range of addresses of one family.
type span struct {
	first netip.Addr
	n     uint64 // addresses in the range; saturates at math.MaxUint64 for huge IPv6 prefixes
}

// Parse reads a comma-separated list of addresses ("127.0.0.2"), inclusive ranges
// ("127.0.0.2-127.0.0.9") and CIDR prefixes ("127.0.0.0/28"; its network and broadcast addresses
// are left out as they cannot be sources). All must be of one family, IPv4 or IPv6. Errors name
// the value.
func Parse(spec string) (*Pool, error) {
	p := &Pool{spec: spec}
	var family netip.Addr
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		s, err := parseItem(item)
		if err != nil {
			return nil, fmt.Errorf("--local-ips %q: %w", spec, err)
		}
		if !family.IsValid() {
			family = s.first
		} else if family.Is4() != s.first.Is4() {
			return nil, fmt.Errorf("--local-ips %q: %s mixes IPv4 and IPv6; a source must match the target's family", spec, item)
		}
		p.ranges = append(p.ranges, s)
		p.ends = append(p.ends, satAdd(p.total(), s.n))
	}
	if len(p.ranges) == 0 {
		return nil, fmt.Errorf("--local-ips %q: no address given", spec)
	}
	return p, nil
}

func parseItem(item string) (span, error) {
	if strings.Contains(item, "/") {
		pfx, err := netip.ParsePrefix(item)
		if err != nil {
			return span{}, fmt.Errorf("%s is not a CIDR prefix such as 127.0.0.0/28", item)
		}
		pfx = pfx.Masked()
		bits := pfx.Addr().BitLen() - pfx.Bits()
		n := uint64(math.MaxUint64)
		if bits < 64 {
			n = 1 << bits
		}
		first := pfx.Addr()
		// Leave out the network address (and IPv4's broadcast) where the prefix has room.
		if bits >= 2 {
			first = first.Next()
			if n != math.MaxUint64 { // a saturated count stays saturated
				n--
				if first.Is4() {
					n--
				}
			}
		}
		return span{first: first, n: n}, nil
	}
	if a, b, ok := strings.Cut(item, "-"); ok {
		lo, err1 := netip.ParseAddr(strings.TrimSpace(a))
		hi, err2 := netip.ParseAddr(strings.TrimSpace(b))
		switch {
		case err1 != nil || err2 != nil:
			return span{}, fmt.Errorf("%s is not a range such as 127.0.0.2-127.0.0.9", item)
		case lo.Is4() != hi.Is4():
			return span{}, fmt.Errorf("%s mixes IPv4 and IPv6", item)
		case hi.Less(lo):
			return span{}, fmt.Errorf("%s ends before it starts", item)
		}
		return span{first: lo, n: satAdd(distance(lo, hi), 1)}, nil
	}
	a, err := netip.ParseAddr(item)
	if err != nil {
		return span{}, fmt.Errorf("%s is not an IP address", item)
	}
	return span{first: a.Unmap(), n: 1}, nil
}

// distance is hi - lo, saturating; both of one family, lo <= hi.
func distance(lo, hi netip.Addr) uint64 {
	a, b := lo.As16(), hi.As16()
	low, borrow := bits.Sub64(binary.BigEndian.Uint64(b[8:]), binary.BigEndian.Uint64(a[8:]), 0)
	high, _ := bits.Sub64(binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(a[:8]), borrow)
	if high != 0 {
		return math.MaxUint64
	}
	return low
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

func (p *Pool) total() uint64 {
	if len(p.ends) == 0 {
		return 0
	}
	return p.ends[len(p.ends)-1]
}

// Len is the number of addresses in the pool (saturating at the largest uint64).
func (p *Pool) Len() uint64 { return p.total() }

// At returns the pool's i-th address, counting across the items in the order given; i wraps
// around the pool's size.
func (p *Pool) At(i uint64) netip.Addr {
	i %= p.total()
	r := sort.Search(len(p.ends), func(k int) bool { return p.ends[k] > i })
	off := i
	if r > 0 {
		off -= p.ends[r-1]
	}
	return add(p.ranges[r].first, off)
}

// add returns a + off within a's family.
func add(a netip.Addr, off uint64) netip.Addr {
	b := a.As16()
	carry := off
	for i := 15; i >= 0 && carry > 0; i-- {
		sum := uint64(b[i]) + carry&0xff
		b[i] = byte(sum)
		carry = carry>>8 + sum>>8
	}
	out := netip.AddrFrom16(b)
	if a.Is4() {
		return out.Unmap()
	}
	return out
}

// Flag is --local-ips as a client's source-address hook: nil when spec is empty (the system
// picks), else the pool's Next after Parse and Check have accepted it.
func Flag(spec string) (func() *net.TCPAddr, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	p, err := Parse(spec)
	if err == nil {
		err = p.Check()
	}
	if err != nil {
		return nil, err
	}
	return p.Next, nil
}

// Next returns the next source address, round robin; it is what a dialer's LocalAddr is set to
// for each new connection (port 0: the kernel picks the port).
func (p *Pool) Next() *net.TCPAddr {
	i := p.next.Add(1) - 1
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(p.At(i), 0))
}

// DialContext dials address from the next source address; a drop-in for net.Dialer's.
func (p *Pool) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d := net.Dialer{LocalAddr: p.Next()}
	return d.DialContext(ctx, network, address)
}

// Check binds the first and the last address of every item, so that an address this machine
// does not have is reported at start, once, instead of failing every connection from it.
func (p *Pool) Check() error {
	var errs []error
	for _, r := range p.ranges {
		for _, a := range []netip.Addr{r.first, add(r.first, r.n-1)} {
			ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(a, 0)))
			if err != nil {
				errs = append(errs, fmt.Errorf("--local-ips %q: %s is not an address of this machine: %w", p.spec, a, err))
				break
			}
			ln.Close()
		}
	}
	return errors.Join(errs...)
}
