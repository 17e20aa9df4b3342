"""Errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}}, for every failure path."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("whisper-server")


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, *, type: str | None = None, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type or ("invalid_request_error" if status < 500 else "server_error")
        self.param = param
        self.code = code


def error_response(e: OpenAIError) -> JSONResponse:
    body = {"error": {"message": e.message, "type": e.type, "param": e.param, "code": e.code}}
    return JSONResponse(body, status_code=e.status)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(OpenAIError)
    async def _openai(_: Request, e: OpenAIError):
        return error_response(e)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, e: HTTPException):
        # Unknown paths and methods, as OpenAI words them.
        message = f"Invalid URL ({request.method} {request.url.path})" if e.status_code in (404, 405) else str(e.detail)
        return error_response(OpenAIError(e.status_code, message))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, e: RequestValidationError):
        first = (e.errors() or [{}])[0]
        param = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return error_response(OpenAIError(400, str(first.get("msg", "invalid request")), param=param))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, e: Exception):
        log.exception("unexpected error")
        return error_response(OpenAIError(500, f"The server had an error while processing your request ({type(e).__name__}).", type="server_error"))
