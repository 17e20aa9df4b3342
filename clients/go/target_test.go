package hoosh

import "testing"

func TestParseTarget(t *testing.T) {
	cases := []struct{ in, target, scheme string }{
		{"http://127.0.0.1:8088", "127.0.0.1:8088", "http"},
		{"http://localhost:8088/", "localhost:8088", "http"},
		{"HTTPS://hoosh.example.com", "hoosh.example.com:443", "https"},
		{"http://[::1]:8088", "[::1]:8088", "http"},
		{"127.0.0.1:8088", "127.0.0.1:8088", ""},
		{"dns:///hoosh.internal:8088", "dns:///hoosh.internal:8088", ""},
	}
	for _, c := range cases {
		target, scheme, err := parseTarget(c.in)
		if err != nil || target != c.target || scheme != c.scheme {
			t.Errorf("parseTarget(%q) = %q, %q, %v; want %q, %q", c.in, target, scheme, err, c.target, c.scheme)
		}
	}
	for _, bad := range []string{"", "http://", "http://h:1/v1", "http://u:p@h:1", "http://h:1?x=1"} {
		if _, _, err := parseTarget(bad); err == nil {
			t.Errorf("parseTarget(%q): no error", bad)
		}
	}
}

func TestIsLocalTarget(t *testing.T) {
	local := []string{"127.0.0.1:8088", "127.1.2.3:1", "localhost:8088", "[::1]:8088", "dns:///localhost:8088",
		"passthrough:///127.0.0.1:8088", "unix:///tmp/hoosh.sock", "unix-abstract:hoosh"}
	remote := []string{"10.0.0.1:8088", "hoosh.example.com:443", "dns:///hoosh.internal:8088", "[2001:db8::1]:8088", "0.0.0.0:8088"}
	for _, s := range local {
		if !isLocalTarget(s) {
			t.Errorf("isLocalTarget(%q) = false, want true", s)
		}
	}
	for _, s := range remote {
		if isLocalTarget(s) {
			t.Errorf("isLocalTarget(%q) = true, want false", s)
		}
	}
}
