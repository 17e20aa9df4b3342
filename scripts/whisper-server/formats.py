"""A Transcript in each of OpenAI's response_format values: json, text, verbose_json, srt, vtt."""
from __future__ import annotations

import math

from fastapi.responses import JSONResponse, PlainTextResponse, Response

from engine import Transcript

FORMATS = ("json", "text", "verbose_json", "srt", "vtt")


def _usage(t: Transcript) -> dict:
    # whisper-1 bills whole seconds and reports them like this.
    return {"type": "duration", "seconds": math.ceil(t.duration)}


def _clock(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cues(t: Transcript, sep: str, numbered: bool) -> str:
    out = []
    for i, s in enumerate(t.segments, 1):
        head = f"{i}\n" if numbered else ""
        out.append(f"{head}{_clock(s.start, sep)} --> {_clock(s.end, sep)}\n{s.text.strip()}\n")
    return "\n".join(out) + ("\n" if out else "")


def render(t: Transcript, fmt: str, words: bool, segments: bool) -> Response:
    if fmt == "text":
        return PlainTextResponse(t.text + "\n")
    if fmt == "srt":
        return PlainTextResponse(_cues(t, ",", True))
    if fmt == "vtt":
        return PlainTextResponse("WEBVTT\n\n" + _cues(t, ".", False), media_type="text/vtt")
    if fmt == "json":
        return JSONResponse({"text": t.text, "usage": _usage(t)})
    body: dict = {"task": "transcribe", "language": t.language, "duration": round(t.duration, 3), "text": t.text}
    if segments:
        body["segments"] = [
            {
                "id": s.id,
                "seek": s.seek,
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "text": s.text,
                "tokens": s.tokens,
                "temperature": s.temperature,
                "avg_logprob": s.avg_logprob,
                "compression_ratio": s.compression_ratio,
                "no_speech_prob": s.no_speech_prob,
            }
            for s in t.segments
        ]
    if words:
        body["words"] = [{"word": w.word.strip(), "start": round(w.start, 3), "end": round(w.end, 3)} for w in t.words]
    body["usage"] = _usage(t)
    return JSONResponse(body)
