// Command generate asks hoosh for one chat answer, whole or streamed.
//
//	go run ./examples/generate -addr http://127.0.0.1:8088 -model gpt-4o-mini -prompt "Hello" -stream
//
// HOOSH_API_KEY, when set, is sent as a bearer token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	hoosh "github.com/hoosh-ai/hoosh/clients/go"
	hooshv1 "github.com/hoosh-ai/hoosh/clients/go/gen/hoosh/v1"
	"google.golang.org/grpc/status"
)

func main() {
	addr := flag.String("addr", "http://127.0.0.1:8088", "hoosh address: http://host:port (plaintext), https://host[:port] (TLS)")
	model := flag.String("model", "gpt-4o-mini", "model id")
	prompt := flag.String("prompt", "Say hello in one short sentence.", "user message")
	stream := flag.Bool("stream", false, "stream the answer as it is generated")
	flag.Parse()

	if err := run(*addr, *model, *prompt, *stream); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run(addr, model, prompt string, stream bool) error {
	var opts []hoosh.Option
	if key := os.Getenv("HOOSH_API_KEY"); key != "" {
		opts = append(opts, hoosh.WithAPIKey(key))
	}
	c, err := hoosh.Dial(addr, opts...)
	if err != nil {
		return err
	}
	defer c.Close()

	// Ctrl-C cancels the call, and hoosh cancels the upstream request.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	messages := []*hooshv1.Message{{
		Role:    hooshv1.Role_ROLE_USER,
		Content: []*hooshv1.ContentPart{{Part: &hooshv1.ContentPart_Text{Text: prompt}}},
	}}

	if !stream {
		res, err := c.Inference.Generate(ctx, &hooshv1.GenerateRequest{Model: model, Messages: messages})
		if err != nil {
			return describe(err)
		}
		for _, part := range res.GetMessage().GetContent() {
			fmt.Print(part.GetText())
		}
		fmt.Println()
		printUsage(res.GetFinishReason(), res.GetUsage())
		return nil
	}

	s, err := c.Inference.GenerateStream(ctx, &hooshv1.GenerateStreamRequest{Model: model, Messages: messages})
	if err != nil {
		return describe(err)
	}
	for {
		ev, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return describe(err)
		}
		switch e := ev.GetEvent().(type) {
		case *hooshv1.GenerateStreamResponse_Text:
			fmt.Print(e.Text.GetText())
		case *hooshv1.GenerateStreamResponse_End:
			fmt.Println()
			printUsage(e.End.GetFinishReason(), e.End.GetUsage())
		}
	}
}

func printUsage(finish hooshv1.FinishReason, u *hooshv1.Usage) {
	fmt.Fprintf(os.Stderr, "[%s; provider %s; %d input + %d output tokens; %d micro-USD]\n",
		finish, u.GetProvider(), u.GetInputTokens(), u.GetOutputTokens(), u.GetCostUsdMicros())
}

// describe turns a gRPC status into "CODE: message".
func describe(err error) error {
	if st, ok := status.FromError(err); ok {
		return fmt.Errorf("%s: %s", st.Code(), st.Message())
	}
	return err
}
