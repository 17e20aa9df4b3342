package hoosh_test

// The helper itself, against an in-process gRPC server (no hoosh needed).

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	hoosh "github.com/hoosh-ai/hoosh/clients/go"
	hooshv1 "github.com/hoosh-ai/hoosh/clients/go/gen/hoosh/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// seen is what the fake server observed about the last call.
type seen struct {
	auth      []string
	userAgent []string
	deadline  time.Duration // 0 when the call had none
}

func observe(ctx context.Context) seen {
	md, _ := metadata.FromIncomingContext(ctx)
	s := seen{auth: md.Get("authorization"), userAgent: md.Get("user-agent")}
	if dl, ok := ctx.Deadline(); ok {
		s.deadline = time.Until(dl)
	}
	return s
}

type fakeModels struct {
	hooshv1.UnimplementedModelsServiceServer
	last chan seen
}

func (f *fakeModels) ListModels(ctx context.Context, _ *hooshv1.ListModelsRequest) (*hooshv1.ListModelsResponse, error) {
	f.last <- observe(ctx)
	return &hooshv1.ListModelsResponse{}, nil
}

type fakeInference struct {
	hooshv1.UnimplementedInferenceServiceServer
	last chan seen
}

func (f *fakeInference) GenerateStream(_ *hooshv1.GenerateStreamRequest, s grpc.ServerStreamingServer[hooshv1.GenerateStreamResponse]) error {
	f.last <- observe(s.Context())
	return s.Send(&hooshv1.GenerateStreamResponse{Event: &hooshv1.GenerateStreamResponse_End{End: &hooshv1.StreamEnd{}}})
}

func startFakeServer(t *testing.T) (addr string, last chan seen) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	last = make(chan seen, 1)
	srv := grpc.NewServer()
	hooshv1.RegisterModelsServiceServer(srv, &fakeModels{last: last})
	hooshv1.RegisterInferenceServiceServer(srv, &fakeInference{last: last})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String(), last
}

func TestDialSendsAPIKeyAndDefaultDeadline(t *testing.T) {
	addr, last := startFakeServer(t)
	c, err := hoosh.Dial("http://"+addr, hoosh.WithAPIKey("sk-test"), hoosh.WithUserAgent("my-app/1"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if _, err := c.Models.ListModels(context.Background(), &hooshv1.ListModelsRequest{}); err != nil {
		t.Fatalf("ListModels: %v", err)
	}
	got := <-last
	if len(got.auth) != 1 || got.auth[0] != "Bearer sk-test" {
		t.Errorf("authorization %q, want [\"Bearer sk-test\"]", got.auth)
	}
	if len(got.userAgent) != 1 || !strings.HasPrefix(got.userAgent[0], "my-app/1 hoosh-go/") {
		t.Errorf("user-agent %q, want \"my-app/1 hoosh-go/...\"", got.userAgent)
	}
	if got.deadline <= 50*time.Second || got.deadline > hoosh.DefaultTimeout {
		t.Errorf("deadline in %v, want the default %v", got.deadline, hoosh.DefaultTimeout)
	}

	// The caller's own deadline wins.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Models.ListModels(ctx, &hooshv1.ListModelsRequest{}); err != nil {
		t.Fatalf("ListModels: %v", err)
	}
	if got := <-last; got.deadline > 5*time.Second {
		t.Errorf("deadline in %v, want the caller's 5 s", got.deadline)
	}
}

func TestDefaultStreamDeadline(t *testing.T) {
	addr, last := startFakeServer(t)
	c, err := hoosh.Dial(addr, hoosh.WithInsecure(), hoosh.WithDefaultStreamTimeout(3*time.Second), hoosh.WithDefaultTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Inference.GenerateStream(context.Background(), &hooshv1.GenerateStreamRequest{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := s.Recv(); err != nil {
			break
		}
	}
	if got := <-last; got.deadline <= 0 || got.deadline > 3*time.Second {
		t.Errorf("stream deadline in %v, want <= 3 s", got.deadline)
	}
	if _, err := c.Models.ListModels(context.Background(), &hooshv1.ListModelsRequest{}); err != nil {
		t.Fatalf("ListModels: %v", err)
	}
	got := <-last
	if got.deadline != 0 {
		t.Errorf("unary deadline in %v with WithDefaultTimeout(0), want none", got.deadline)
	}
	if len(got.auth) != 0 {
		t.Errorf("authorization %q sent without WithAPIKey", got.auth)
	}
}

func TestDialRefusesPlaintextKeyToRemoteHost(t *testing.T) {
	for _, target := range []string{"http://10.1.2.3:8088", "hoosh.example.com:8088"} {
		opts := []hoosh.Option{hoosh.WithAPIKey("sk-test")}
		if !strings.HasPrefix(target, "http://") {
			opts = append(opts, hoosh.WithInsecure())
		}
		if _, err := hoosh.Dial(target, opts...); err == nil || !strings.Contains(err.Error(), "plaintext") {
			t.Errorf("Dial(%q) plaintext with API key: err %v, want a refusal", target, err)
		}
		c, err := hoosh.Dial(target, append(opts, hoosh.WithPlaintextAPIKey())...)
		if err != nil {
			t.Errorf("Dial(%q) with WithPlaintextAPIKey: %v", target, err)
		} else {
			_ = c.Close()
		}
	}
	// TLS is the default for a bare host:port, so the key is fine there.
	c, err := hoosh.Dial("hoosh.example.com:443", hoosh.WithAPIKey("sk-test"))
	if err != nil {
		t.Fatalf("Dial TLS with API key: %v", err)
	}
	_ = c.Close()
}

func TestDialRejectsConflictingTransport(t *testing.T) {
	if _, err := hoosh.Dial("http://127.0.0.1:1", hoosh.WithTLS(nil)); err == nil {
		t.Error("http:// with WithTLS: no error")
	}
	if _, err := hoosh.Dial("https://127.0.0.1:1", hoosh.WithInsecure()); err == nil {
		t.Error("https:// with WithInsecure: no error")
	}
	if _, err := hoosh.Dial("http://127.0.0.1:1/v1"); err == nil {
		t.Error("URL with a path: no error")
	}
}
