package hoosh

import (
	"crypto/tls"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// Default deadlines for calls whose context has none.
const (
	DefaultTimeout       = 60 * time.Second
	DefaultStreamTimeout = 10 * time.Minute // hoosh's own request_timeout_ms default
)

// An Option configures Dial.
type Option func(*config)

type config struct {
	insecure             bool
	tls                  *tls.Config
	apiKey               string
	allowPlaintextAPIKey bool
	timeout              time.Duration
	streamTimeout        time.Duration
	userAgent            string
	extra                []grpc.DialOption
}

func defaultConfig() config {
	return config{timeout: DefaultTimeout, streamTimeout: DefaultStreamTimeout}
}

// WithInsecure uses plaintext HTTP/2 (h2c), as a hoosh on loopback serves by
// default. Same as an "http://" target.
func WithInsecure() Option { return func(c *config) { c.insecure = true } }

// WithTLS uses TLS with this config (nil: system roots, server name from the
// target). Without WithInsecure or an "http://" target, TLS is the default.
func WithTLS(cfg *tls.Config) Option {
	return func(c *config) {
		if cfg == nil {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		c.tls = cfg
	}
}

// WithAPIKey sends "authorization: Bearer <key>" on every call. Over plaintext
// it is only sent to a loopback or unix-socket target, unless
// WithPlaintextAPIKey is given too: Dial fails instead of leaking the key.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithPlaintextAPIKey allows sending the API key over plaintext to a remote
// host, for networks that encrypt below gRPC (a service mesh sidecar).
func WithPlaintextAPIKey() Option { return func(c *config) { c.allowPlaintextAPIKey = true } }

// WithDefaultTimeout sets the deadline of unary calls whose context has none
// (default 60 s); 0 means no default deadline.
func WithDefaultTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithDefaultStreamTimeout sets the deadline of streaming calls (GenerateStream,
// Transcribe) whose context has none (default 10 min); 0 means none.
func WithDefaultStreamTimeout(d time.Duration) Option {
	return func(c *config) { c.streamTimeout = d }
}

// WithUserAgent puts this in front of the user agent ("<ua> hoosh-go/<version> grpc-go/...").
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithDialOptions appends raw grpc dial options (interceptors, keepalive, ...).
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.extra = append(c.extra, opts...) }
}

func (c *config) dialOptions(target string) ([]grpc.DialOption, error) {
	if c.insecure && c.tls != nil {
		return nil, fmt.Errorf("hoosh: WithInsecure and WithTLS both given")
	}
	var creds credentials.TransportCredentials
	switch {
	case c.insecure:
		creds = insecure.NewCredentials()
	case c.tls != nil:
		creds = credentials.NewTLS(c.tls)
	default:
		creds = credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	ua := "hoosh-go/" + Version
	if c.userAgent != "" {
		ua = c.userAgent + " " + ua
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithUserAgent(ua),
		grpc.WithChainUnaryInterceptor(defaultDeadlineUnary(c.timeout)),
		grpc.WithChainStreamInterceptor(defaultDeadlineStream(c.streamTimeout)),
	}
	if c.apiKey != "" {
		local := isLocalTarget(target)
		if c.insecure && !local && !c.allowPlaintextAPIKey {
			return nil, fmt.Errorf("hoosh: refusing to send the API key in plaintext to %q; use TLS, or WithPlaintextAPIKey if the network encrypts", target)
		}
		opts = append(opts, grpc.WithPerRPCCredentials(bearer{key: c.apiKey, requireTLS: !c.insecure}))
	}
	return append(opts, c.extra...), nil
}
