"""The HTTP surface: POST /v1/audio/transcriptions (multipart, as OpenAI's) and GET /v1/models."""
from __future__ import annotations

import time

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from engine import Engine
from errors import OpenAIError, install_handlers
from formats import FORMATS, render

GRANULARITIES = ("segment", "word")


def create_app(engine: Engine, model_ids: list[str], max_bytes: int) -> FastAPI:
    app = FastAPI(title="whisper-server", docs_url=None, redoc_url=None, openapi_url=None)
    install_handlers(app)
    created = int(time.time())

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": m, "object": "model", "created": created, "owned_by": "whisper-server"} for m in model_ids]}

    @app.get("/v1/models/{model_id}")
    async def model(model_id: str):
        if model_id not in model_ids:
            raise OpenAIError(404, f"The model '{model_id}' does not exist", param="model", code="model_not_found")
        return {"id": model_id, "object": "model", "created": created, "owned_by": "whisper-server"}

    @app.post("/v1/audio/transcriptions")
    async def transcriptions(request: Request):
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            raise OpenAIError(400, f"Invalid Content-Type header ({content_type or 'none'}), expected multipart/form-data.")
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise OpenAIError(413, f"Maximum content size limit ({max_bytes}) exceeded ({length} bytes read)", code="request_too_large")
        try:
            form = await request.form(max_files=1, max_fields=32)
        except MultiPartException as err:
            raise OpenAIError(400, f"The multipart/form-data body could not be parsed: {err.message}") from err
        # Starlette parses the body itself (python-multipart); spooled files are closed when the request ends.

        file = form.get("file")
        if file is None:
            raise OpenAIError(400, "you must provide a file parameter", param="file", code="missing_required_parameter")
        if not isinstance(file, UploadFile):
            raise OpenAIError(400, "file must be a file upload, not a text field", param="file", code="invalid_type")
        model_id = _text(form, "model")
        if not model_id:
            raise OpenAIError(400, "you must provide a model parameter", param="model", code="missing_required_parameter")
        if model_id not in model_ids:
            raise OpenAIError(400, f"Invalid model '{model_id}'; this server serves: {', '.join(model_ids)}", param="model", code="model_not_found")
        fmt = _text(form, "response_format") or "json"
        if fmt not in FORMATS:
            raise OpenAIError(400, f"Invalid response_format '{fmt}'; must be one of: {', '.join(FORMATS)}", param="response_format", code="invalid_value")
        temperature = _temperature(_text(form, "temperature"))
        granularities = [str(g) for g in form.getlist("timestamp_granularities[]") + form.getlist("timestamp_granularities")]
        for g in granularities:
            if g not in GRANULARITIES:
                raise OpenAIError(400, f"Invalid timestamp_granularities[] '{g}'; must be one of: segment, word", param="timestamp_granularities[]", code="invalid_value")
        if granularities and fmt != "verbose_json":
            raise OpenAIError(400, "timestamp_granularities[] is only supported with response_format verbose_json", param="timestamp_granularities[]", code="unsupported_value")
        language = _text(form, "language") or None
        engine.check_language(language)

        audio = await file.read()
        if len(audio) > max_bytes:
            raise OpenAIError(413, f"Maximum content size limit ({max_bytes}) exceeded ({len(audio)} bytes read)", code="request_too_large")
        words = "word" in granularities
        # Decoding blocks for a while (the model runs on CPU): off the event loop.
        transcript = await run_in_threadpool(engine.transcribe, audio, language, _text(form, "prompt"), temperature, words)
        return render(transcript, fmt, words=words, segments=not granularities or "segment" in granularities)

    return app


def _text(form, name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise OpenAIError(400, f"{name} must be a text field, not a file", param=name, code="invalid_type")
    return value


def _temperature(raw: str | None) -> float:
    if raw is None or raw == "":
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise OpenAIError(400, f"Invalid temperature '{raw}'; must be a number between 0 and 1", param="temperature", code="invalid_value")
    return value
