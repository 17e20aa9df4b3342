#!/usr/bin/env python3
"""Generate and GenerateStream against a running hoosh.

    python examples/generate.py --target 127.0.0.1:8088 --model gpt-4o-mini "Hello"
    python examples/generate.py --stream "Tell me a story"

HOOSH_API_KEY, when set, is sent as the bearer token.
"""

from __future__ import annotations

import argparse
import os
import sys

import grpc

import hoosh_client
from hoosh_client import chat_pb2, inference_pb2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prompt")
    parser.add_argument("--target", default=os.environ.get("HOOSH_ADDR", "127.0.0.1:8088"))
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--stream", action="store_true", help="print text deltas as they arrive")
    parser.add_argument("--timeout", type=float, default=60.0, help="deadline in seconds")
    args = parser.parse_args()

    messages = [chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text=args.prompt)])]
    with hoosh_client.connect(args.target, api_key=os.environ.get("HOOSH_API_KEY") or None) as client:
        try:
            if args.stream:
                request = inference_pb2.GenerateStreamRequest(model=args.model, messages=messages)
                for event in client.inference.GenerateStream(request, timeout=args.timeout):
                    kind = event.WhichOneof("event")
                    if kind == "text":
                        print(event.text.text, end="", flush=True)
                    elif kind == "end":
                        usage = event.end.usage
                        print(f"\n[{usage.provider}: {usage.input_tokens} in, {usage.output_tokens} out]", file=sys.stderr)
            else:
                res = client.inference.Generate(
                    inference_pb2.GenerateRequest(model=args.model, messages=messages), timeout=args.timeout
                )
                print("".join(part.text for part in res.message.content))
                print(f"[{res.usage.provider}: {res.usage.input_tokens} in, {res.usage.output_tokens} out]", file=sys.stderr)
        except grpc.RpcError as err:
            print(f"hoosh: {err.code().name}: {err.details()}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
