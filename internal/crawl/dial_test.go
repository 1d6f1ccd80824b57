package crawl

import (
	"net/netip"
	"testing"
)

// Every form of an address inside the operator's network is private; public
// unicast addresses are not.
func TestPrivateAddr(t *testing.T) {
	private := []string{
		"127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"0.0.0.0", "0.1.2.3", "::", "100.64.0.1", "100.127.255.254", "fc00::1", "fd12:3456::1", "fe80::1",
		"fe80::1%eth0", "224.0.0.1", "239.255.255.250", "ff02::1", "ff05::2", "255.255.255.255", "240.0.0.1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::7f00:1", "64:ff9b::a00:1",
		"2002:7f00:1::1", "2002:c0a8:101::1", "198.18.0.1", "192.0.0.8", "fec0::1",
	}
	public := []string{"93.184.216.34", "8.8.8.8", "100.63.255.255", "100.128.0.0", "2606:4700::1111",
		"::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2002:5db8:d822::1", "111.13.100.91"}
	for _, s := range private {
		if !privateAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s: not private", s)
		}
	}
	for _, s := range public {
		if privateAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s: private", s)
		}
	}
}
