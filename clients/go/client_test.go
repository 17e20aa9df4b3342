package hoosh_test

// Tests against a LIVE hoosh at $HOOSH_ADDR (host:port, plaintext), whose config has
// provider "fake" (type openai, models ["*"]) pointing at the fake OpenAI upstream
// (test/fakes/openai-upstream.ts) and budgets "tiny" (capacity 10) and "default"
// (capacity 1000000). test/clients/go.test.ts starts both and runs `go test`.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	hoosh "github.com/hoosh-ai/hoosh/clients/go"
	hooshv1 "github.com/hoosh-ai/hoosh/clients/go/gen/hoosh/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// liveClient connects to $HOOSH_ADDR; without it the test fails (never skips).
func liveClient(t *testing.T) *hoosh.Client {
	t.Helper()
	addr := os.Getenv("HOOSH_ADDR")
	if addr == "" {
		t.Fatal("HOOSH_ADDR is not set: these tests need a running hoosh (e.g. HOOSH_ADDR=127.0.0.1:8088). " +
			"Run them with `npx vitest run test/clients/go.test.ts`, which starts hoosh and a fake upstream and sets it.")
	}
	var opts []hoosh.Option
	if !strings.Contains(addr, "://") {
		opts = append(opts, hoosh.WithInsecure())
	}
	c, err := hoosh.Dial(addr, opts...)
	if err != nil {
		t.Fatalf("Dial(%q): %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func userText(text string) []*hooshv1.Message {
	return []*hooshv1.Message{{
		Role:    hooshv1.Role_ROLE_USER,
		Content: []*hooshv1.ContentPart{{Part: &hooshv1.ContentPart_Text{Text: text}}},
	}}
}

func messageText(m *hooshv1.Message) string {
	var b strings.Builder
	for _, p := range m.GetContent() {
		b.WriteString(p.GetText())
	}
	return b.String()
}

// wantCode fails unless err is a gRPC status with code want.
func wantCode(t *testing.T, err error, want codes.Code) *status.Status {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("got a non-status error %v, want %s", err, want)
	}
	if st.Code() != want {
		t.Fatalf("got %s (%q), want %s", st.Code(), st.Message(), want)
	}
	return st
}

func TestHealth(t *testing.T) {
	c := liveClient(t)
	res, err := c.Health.Check(callCtx(t), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatalf("Health.Check: %v", err)
	}
	if res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health status %s, want SERVING", res.GetStatus())
	}
}

func TestGenerate(t *testing.T) {
	c := liveClient(t)
	res, err := c.Inference.Generate(callCtx(t), &hooshv1.GenerateRequest{
		Model:    "fake-model",
		Messages: userText("Hello from Go"),
	})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if got, want := messageText(res.GetMessage()), "echo: Hello from Go"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	if res.GetMessage().GetRole() != hooshv1.Role_ROLE_ASSISTANT {
		t.Errorf("role %s, want ROLE_ASSISTANT", res.GetMessage().GetRole())
	}
	if res.GetFinishReason() != hooshv1.FinishReason_FINISH_REASON_STOP {
		t.Errorf("finish reason %s, want STOP", res.GetFinishReason())
	}
	u := res.GetUsage()
	if u.GetProvider() != "fake" || u.GetInputTokens() == 0 || u.GetOutputTokens() == 0 {
		t.Errorf("usage %v: want provider \"fake\" and non-zero input and output tokens", u)
	}
}

func TestGenerateStream(t *testing.T) {
	c := liveClient(t)
	s, err := c.Inference.GenerateStream(callCtx(t), &hooshv1.GenerateStreamRequest{
		Model:    "fake-model",
		Messages: userText("stream these words please"),
	})
	if err != nil {
		t.Fatalf("GenerateStream: %v", err)
	}
	var events []*hooshv1.GenerateStreamResponse
	for {
		ev, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Recv after %d events: %v", len(events), err)
		}
		events = append(events, ev)
	}
	if len(events) < 4 {
		t.Fatalf("got %d events, want start, several text deltas and end: %v", len(events), events)
	}
	if start := events[0].GetStart(); start == nil || start.GetProvider() != "fake" {
		t.Errorf("first event %v, want a start from provider \"fake\"", events[0])
	}
	end := events[len(events)-1].GetEnd()
	if end == nil {
		t.Fatalf("last event %v, want end", events[len(events)-1])
	}
	var deltas strings.Builder
	texts := 0
	for _, ev := range events[1 : len(events)-1] {
		if tx := ev.GetText(); tx != nil {
			texts++
			deltas.WriteString(tx.GetText())
		}
	}
	if texts < 2 {
		t.Errorf("got %d text deltas, want several", texts)
	}
	want := "echo: stream these words please"
	if deltas.String() != want || messageText(end.GetMessage()) != want {
		t.Errorf("deltas %q, end message %q, want both %q", deltas.String(), messageText(end.GetMessage()), want)
	}
	if end.GetFinishReason() != hooshv1.FinishReason_FINISH_REASON_STOP || end.GetUsage().GetOutputTokens() == 0 {
		t.Errorf("end %v: want STOP with output tokens", end)
	}
}

// fake-long-stream streams 1200 deltas 50 ms apart (~60 s). Deltas must reach us
// as they are produced, and cancelling must end the call at once.
func TestGenerateStreamDeliversDeltasIncrementally(t *testing.T) {
	c := liveClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	began := time.Now()
	s, err := c.Inference.GenerateStream(ctx, &hooshv1.GenerateStreamRequest{
		Model:    "fake-long-stream",
		Messages: userText("count"),
	})
	if err != nil {
		t.Fatalf("GenerateStream: %v", err)
	}
	const want = 5
	var at []time.Duration
	var texts []string
	for len(texts) < want {
		ev, err := s.Recv()
		if err != nil {
			t.Fatalf("Recv after %d text deltas: %v", len(texts), err)
		}
		if tx := ev.GetText(); tx != nil {
			at = append(at, time.Since(began))
			texts = append(texts, tx.GetText())
		}
	}
	cancel()
	t.Logf("first %d deltas %q at %v", want, texts, at)

	if texts[0] != "tick0" || texts[1] != " tick1" {
		t.Errorf("deltas %q, want tick0, \" tick1\", ...", texts)
	}
	if at[0] > 10*time.Second {
		t.Errorf("first delta after %v; the whole stream takes ~60 s, so it was not delivered incrementally", at[0])
	}
	// 50 ms apart upstream: spread out in time, not one batch at the end.
	if spread := at[want-1] - at[0]; spread < 100*time.Millisecond {
		t.Errorf("deltas 1..%d arrived within %v, want them spread out as produced (~50 ms apart)", want, spread)
	}

	cancelled := time.Now()
	for {
		_, err := s.Recv()
		if err == nil {
			continue // deltas already in flight
		}
		wantCode(t, err, codes.Canceled)
		break
	}
	if d := time.Since(cancelled); d > 5*time.Second {
		t.Errorf("stream took %v to end after cancel", d)
	}
}

// wav returns a RIFF/WAVE file of seconds of a 440 Hz tone, 16-bit mono at rate Hz.
func wav(seconds float64, rate int) []byte {
	n := int(seconds * float64(rate))
	pcm := make([]byte, 2*n)
	for i := 0; i < n; i++ {
		v := int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(v))
	}
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + len(pcm)))
	b.WriteString("WAVEfmt ")
	w(uint32(16))       // fmt chunk size
	w(uint16(1))        // PCM
	w(uint16(1))        // channels
	w(uint32(rate))     // sample rate
	w(uint32(rate * 2)) // byte rate
	w(uint16(2))        // block align
	w(uint16(16))       // bits per sample
	b.WriteString("data")
	w(uint32(len(pcm)))
	b.Write(pcm)
	return b.Bytes()
}

func TestTranscribe(t *testing.T) {
	c := liveClient(t)
	s, err := c.Transcribe.Transcribe(callCtx(t))
	if err != nil {
		t.Fatalf("Transcribe: %v", err)
	}
	err = s.Send(&hooshv1.TranscribeRequest{Payload: &hooshv1.TranscribeRequest_Config{Config: &hooshv1.TranscribeConfig{
		Model:    "whisper-1",
		Language: "en",
		Encoding: hooshv1.AudioEncoding_AUDIO_ENCODING_WAV,
	}}})
	if err != nil {
		t.Fatalf("Send config: %v", err)
	}
	audio := wav(1.0, 16000)
	const chunk = 4096
	chunks := 0
	for off := 0; off < len(audio); off += chunk {
		end := min(off+chunk, len(audio))
		if err := s.Send(&hooshv1.TranscribeRequest{Payload: &hooshv1.TranscribeRequest_Audio{Audio: audio[off:end]}}); err != nil {
			t.Fatalf("Send chunk %d: %v", chunks, err)
		}
		chunks++
	}
	res, err := s.CloseAndRecv()
	if err != nil {
		t.Fatalf("CloseAndRecv after %d chunks (%d bytes): %v", chunks, len(audio), err)
	}
	t.Logf("transcript of %d bytes in %d chunks: %q (%.2f s, model %q)", len(audio), chunks, res.GetText(), res.GetDurationSeconds(), res.GetModel())
	if strings.TrimSpace(res.GetText()) == "" {
		t.Errorf("empty transcript: %v", res)
	}
}

func TestTranscribeWithoutConfigIsInvalid(t *testing.T) {
	c := liveClient(t)
	s, err := c.Transcribe.Transcribe(callCtx(t))
	if err != nil {
		t.Fatalf("Transcribe: %v", err)
	}
	// Audio first: the contract says INVALID_ARGUMENT.
	_ = s.Send(&hooshv1.TranscribeRequest{Payload: &hooshv1.TranscribeRequest_Audio{Audio: wav(0.1, 16000)}})
	_, err = s.CloseAndRecv()
	wantCode(t, err, codes.InvalidArgument)
}

func TestBudget(t *testing.T) {
	c := liveClient(t)
	ctx := callCtx(t)

	list, err := c.Budget.ListPools(ctx, &hooshv1.ListPoolsRequest{})
	if err != nil {
		t.Fatalf("ListPools: %v", err)
	}
	pools := map[string]*hooshv1.Pool{}
	for _, p := range list.GetPools() {
		pools[p.GetName()] = p
	}
	for name, capacity := range map[string]int64{"tiny": 10, "default": 1_000_000} {
		p := pools[name]
		if p == nil {
			t.Fatalf("pool %q missing from ListPools: %v", name, list.GetPools())
		}
		if p.CapacityTokens == nil || p.GetCapacityTokens() != capacity {
			t.Errorf("pool %q capacity_tokens %v, want %d", name, p.CapacityTokens, capacity)
		}
	}

	// More than "tiny" holds: RESOURCE_EXHAUSTED naming the pool.
	_, err = c.Budget.Reserve(ctx, &hooshv1.ReserveRequest{Pool: "tiny", Tokens: 11})
	st := wantCode(t, err, codes.ResourceExhausted)
	if !strings.Contains(st.Message(), "tiny") {
		t.Errorf("message %q does not name the pool", st.Message())
	}

	// A reservation that fits, given back.
	res, err := c.Budget.Reserve(ctx, &hooshv1.ReserveRequest{Pool: "tiny", Tokens: 4})
	if err != nil {
		t.Fatalf("Reserve 4 of tiny: %v", err)
	}
	if res.GetReservationId() == "" || res.GetPool().GetReservedTokens() < 4 {
		t.Errorf("reserve response %v: want an id and >= 4 reserved tokens", res)
	}
	rel, err := c.Budget.Release(ctx, &hooshv1.ReleaseRequest{ReservationId: res.GetReservationId()})
	if err != nil {
		t.Fatalf("Release: %v", err)
	}
	if got := rel.GetPool().GetReservedTokens(); got != res.GetPool().GetReservedTokens()-4 {
		t.Errorf("reserved tokens after release %d, want %d", got, res.GetPool().GetReservedTokens()-4)
	}

	_, err = c.Budget.GetPool(ctx, &hooshv1.GetPoolRequest{Name: "no-such-pool"})
	wantCode(t, err, codes.NotFound)
}

func TestHardware(t *testing.T) {
	c := liveClient(t)
	res, err := c.Hardware.GetHardware(callCtx(t), &hooshv1.GetHardwareRequest{})
	if err != nil {
		t.Fatalf("GetHardware: %v", err)
	}
	hw := res.GetHardware()
	if hw.GetCpu().GetLogicalCores() == 0 {
		t.Errorf("cpu logical cores 0: %v", hw.GetCpu())
	}
	if hw.GetMemory().GetTotalBytes() == 0 {
		t.Errorf("memory total 0: %v", hw.GetMemory())
	}
}

func TestModels(t *testing.T) {
	c := liveClient(t)
	ctx := callCtx(t)
	list, err := c.Models.ListModels(ctx, &hooshv1.ListModelsRequest{})
	if err != nil {
		t.Fatalf("ListModels: %v", err)
	}
	var found *hooshv1.Model
	for _, m := range list.GetModels() {
		if m.GetId() == "fake-model" {
			found = m
		}
	}
	if found == nil {
		t.Fatalf("fake-model (listed by the fake upstream) missing from %d models: %v", len(list.GetModels()), list.GetModels())
	}
	if found.GetProvider() != "fake" || found.GetProviderType() != "openai" {
		t.Errorf("fake-model: %v, want provider \"fake\" of type openai", found)
	}
	got, err := c.Models.GetModel(ctx, &hooshv1.GetModelRequest{Id: "fake-model"})
	if err != nil {
		t.Fatalf("GetModel: %v", err)
	}
	if got.GetModel().GetProvider() != "fake" {
		t.Errorf("GetModel: %v", got.GetModel())
	}
}

func TestInvalidArgument(t *testing.T) {
	c := liveClient(t)
	_, err := c.Inference.Generate(callCtx(t), &hooshv1.GenerateRequest{Model: "", Messages: userText("hi")})
	st := wantCode(t, err, codes.InvalidArgument)
	if !strings.Contains(st.Message(), "model") {
		t.Errorf("message %q does not name the field", st.Message())
	}
}

// An upstream 429 is RESOURCE_EXHAUSTED, with the upstream's retry-after passed on.
func TestUpstreamRateLimit(t *testing.T) {
	c := liveClient(t)
	var header, trailer metadata.MD
	_, err := c.Inference.Generate(callCtx(t), &hooshv1.GenerateRequest{Model: "fake-429", Messages: userText("hi")},
		grpc.Header(&header), grpc.Trailer(&trailer))
	wantCode(t, err, codes.ResourceExhausted)
	if got := append(header.Get("retry-after"), trailer.Get("retry-after")...); len(got) == 0 || got[0] != "7" {
		t.Errorf("retry-after %q, want \"7\" (headers %v, trailers %v)", got, header, trailer)
	}
}
