package hoosh

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// parseTarget turns "http://h:p" / "https://h[:p]" into a gRPC target and
// reports the scheme ("http", "https", or "" for a target passed through).
func parseTarget(target string) (grpcTarget, scheme string, err error) {
	lower := strings.ToLower(target)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		if target == "" {
			return "", "", fmt.Errorf("hoosh: empty target; want e.g. http://127.0.0.1:8088")
		}
		return target, "", nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return "", "", fmt.Errorf("hoosh: target %q: %w", target, err)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", "", fmt.Errorf("hoosh: target %q: want scheme://host[:port] with no path, query or user", target)
	}
	scheme = strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return net.JoinHostPort(u.Hostname(), port), scheme, nil
}

// isLocalTarget reports whether a gRPC target names this machine: a unix
// socket, "localhost" or a loopback address.
func isLocalTarget(target string) bool {
	if strings.HasPrefix(target, "unix:") || strings.HasPrefix(target, "unix-abstract:") {
		return true
	}
	endpoint := target
	if i := strings.Index(endpoint, "://"); i >= 0 {
		// scheme://[authority]/endpoint (dns:///h:p, passthrough:///h:p)
		rest := endpoint[i+3:]
		if j := strings.Index(rest, "/"); j >= 0 {
			endpoint = rest[j+1:]
		} else {
			endpoint = rest
		}
	}
	host := endpoint
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
