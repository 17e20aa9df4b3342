package hoosh

import "context"

// bearer is a per-RPC credential sending "authorization: Bearer <key>".
type bearer struct {
	key        string
	requireTLS bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.key}, nil
}

// RequireTransportSecurity is false only when Dial already allowed plaintext
// (a local target, or WithPlaintextAPIKey).
func (b bearer) RequireTransportSecurity() bool { return b.requireTLS }
