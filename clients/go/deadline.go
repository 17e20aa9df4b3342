package hoosh

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
)

// defaultDeadlineUnary gives a unary call whose context has no deadline one of d.
func defaultDeadlineUnary(d time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if _, ok := ctx.Deadline(); ok || d <= 0 {
			return invoker(ctx, method, req, reply, cc, opts...)
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// defaultDeadlineStream gives a streaming call whose context has no deadline
// one of d; the timer is released when the stream ends.
func defaultDeadlineStream(d time.Duration) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if _, ok := ctx.Deadline(); ok || d <= 0 {
			return streamer(ctx, desc, cc, method, opts...)
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		s, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			cancel()
			return nil, err
		}
		return &cancelOnEnd{ClientStream: s, cancel: cancel, serverStreams: desc.ServerStreams}, nil
	}
}

// cancelOnEnd releases the deadline's timer once the call is over: RecvMsg
// failed (io.EOF included), or the single reply of a client-streaming or
// unary-shaped call arrived.
type cancelOnEnd struct {
	grpc.ClientStream
	cancel        context.CancelFunc
	serverStreams bool
	once          sync.Once
}

func (s *cancelOnEnd) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil || !s.serverStreams {
		s.once.Do(s.cancel)
	}
	return err
}
