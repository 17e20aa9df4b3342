// Package hoosh is a thin Go client for the hoosh AI inference gateway.
//
// Dial opens one gRPC connection and exposes the generated service clients of
// package hooshv1 (github.com/hoosh-ai/hoosh/clients/go/gen/hoosh/v1) on it,
// with an optional bearer API key and a default deadline for calls whose
// context has none:
//
//	c, err := hoosh.Dial("http://127.0.0.1:8088") // http:// = plaintext h2c, https:// = TLS
//	if err != nil { ... }
//	defer c.Close()
//	res, err := c.Inference.Generate(ctx, &hooshv1.GenerateRequest{...})
//
// Errors are gRPC statuses: use status.Code(err) from google.golang.org/grpc/status.
package hoosh

import (
	"fmt"

	hooshv1 "github.com/hoosh-ai/hoosh/clients/go/gen/hoosh/v1"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Version is this client's version, sent in the user agent.
const Version = "0.1.0"

// Client holds one connection to hoosh and a client for each of its services.
// It is safe for concurrent use; share one per process and target.
type Client struct {
	// Conn is the underlying connection, for other stubs or grpc options.
	Conn *grpc.ClientConn

	Inference  hooshv1.InferenceServiceClient
	Models     hooshv1.ModelsServiceClient
	Transcribe hooshv1.TranscribeServiceClient
	Budget     hooshv1.BudgetServiceClient
	Hardware   hooshv1.HardwareServiceClient
	// Health is grpc.health.v1 (service "" is the whole server).
	Health healthpb.HealthClient
}

// Dial creates a client for target. target is "http://host:port" (plaintext
// HTTP/2), "https://host[:port]" (TLS, port 443 by default), or any gRPC target
// such as "host:port" or "dns:///host:port", which uses TLS unless WithInsecure
// is given. Like grpc.NewClient, Dial does not connect: the first call does.
func Dial(target string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	grpcTarget, scheme, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	switch scheme {
	case "http":
		if cfg.tls != nil {
			return nil, fmt.Errorf("hoosh: target %q is plaintext (http://) but WithTLS was given", target)
		}
		cfg.insecure = true
	case "https":
		if cfg.insecure {
			return nil, fmt.Errorf("hoosh: target %q is TLS (https://) but WithInsecure was given", target)
		}
	}
	dialOpts, err := cfg.dialOptions(grpcTarget)
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(grpcTarget, dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("hoosh: %w", err)
	}
	return &Client{
		Conn:       conn,
		Inference:  hooshv1.NewInferenceServiceClient(conn),
		Models:     hooshv1.NewModelsServiceClient(conn),
		Transcribe: hooshv1.NewTranscribeServiceClient(conn),
		Budget:     hooshv1.NewBudgetServiceClient(conn),
		Hardware:   hooshv1.NewHardwareServiceClient(conn),
		Health:     healthpb.NewHealthClient(conn),
	}, nil
}

// Close closes the connection; calls in flight fail with codes.Canceled.
func (c *Client) Close() error {
	return c.Conn.Close()
}
