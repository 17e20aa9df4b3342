"""connect(): one gRPC channel to hoosh with stubs for its five services.

Every call made through the returned Client carries ``authorization: Bearer
<api_key>`` (when an api key is given) and a deadline of ``default_timeout``
seconds when the caller passes no ``timeout=``. Both are added by one client
interceptor, so they work on plaintext (h2c) and TLS channels alike.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Sequence, Tuple, Type, TypeVar, Union

import grpc

from hoosh.v1 import (
    budget_pb2_grpc,
    hardware_pb2_grpc,
    inference_pb2_grpc,
    models_pb2_grpc,
    transcribe_pb2_grpc,
)

if TYPE_CHECKING:  # only in the type stubs (types-grpcio)
    from grpc import _CallFuture, _CallIterator

__all__ = ["Client", "connect", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 30.0
"""Seconds a call may take when the caller sets no ``timeout=``."""

_Req = TypeVar("_Req")
_Resp = TypeVar("_Resp")
_MetadataValue = Union[str, bytes]
_Metadata = Tuple[Tuple[str, _MetadataValue], ...]
_ChannelOptions = Sequence[Tuple[str, Union[str, int, bool]]]

_DEFAULT_OPTIONS: Tuple[Tuple[str, Union[str, int]], ...] = (
    # Completions and transcripts can be large; hoosh's own limit applies first.
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ("grpc.primary_user_agent", "hoosh-client-python/0.1.0"),
)


class _CallDetails(grpc.ClientCallDetails):
    """A filled-in ClientCallDetails (grpc only ships the abstract class)."""

    def __init__(
        self,
        method: str,
        timeout: Optional[float],
        metadata: Optional[_Metadata],
        credentials: Optional[grpc.CallCredentials],
        wait_for_ready: Optional[bool],
        compression: Optional[grpc.Compression],
    ) -> None:
        self.method = method
        self.timeout = timeout
        self.metadata = metadata
        self.credentials = credentials
        self.wait_for_ready = wait_for_ready
        self.compression = compression


class _CallDefaults(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds the bearer token and the default deadline to every call of every kind.

    A caller's own ``timeout=`` or ``authorization`` metadata wins.
    """

    def __init__(self, metadata: _Metadata, default_timeout: Optional[float]) -> None:
        self._metadata = metadata
        self._timeout = default_timeout

    def _details(self, d: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata: _Metadata = tuple(d.metadata or ())
        if self._metadata and not any(key.lower() == "authorization" for key, _ in metadata):
            metadata = metadata + self._metadata
        return _CallDetails(
            method=d.method,
            timeout=d.timeout if d.timeout is not None else self._timeout,
            metadata=metadata or None,
            credentials=d.credentials,
            wait_for_ready=getattr(d, "wait_for_ready", None),
            compression=getattr(d, "compression", None),
        )

    def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.ClientCallDetails, _Req], _CallFuture[_Resp]],
        client_call_details: grpc.ClientCallDetails,
        request: _Req,
    ) -> _CallFuture[_Resp]:
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(
        self,
        continuation: Callable[[grpc.ClientCallDetails, _Req], _CallIterator[_Resp]],
        client_call_details: grpc.ClientCallDetails,
        request: _Req,
    ) -> _CallIterator[_Resp]:
        # The returned call is both the response iterator and the grpc.Call,
        # so the caller can still .cancel() it.
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(
        self,
        continuation: Callable[[grpc.ClientCallDetails, Iterator[_Req]], _CallFuture[_Resp]],
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Iterator[_Req],
    ) -> _CallFuture[_Resp]:
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(
        self,
        continuation: Callable[[grpc.ClientCallDetails, Iterator[_Req]], _CallIterator[_Resp]],
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Iterator[_Req],
    ) -> _CallIterator[_Resp]:
        return continuation(self._details(client_call_details), request_iterator)


class Client:
    """Stubs for hoosh's services over one channel. Close it (or use ``with``) when done.

    Attributes:
        inference: hoosh.v1.InferenceService (Generate, GenerateStream, Embed)
        models: hoosh.v1.ModelsService (ListModels, GetModel)
        transcribe: hoosh.v1.TranscribeService (Transcribe, client streaming)
        budget: hoosh.v1.BudgetService (ListPools, GetPool, Reserve, Commit, ...)
        hardware: hoosh.v1.HardwareService (GetHardware, RecommendPlacement)
        channel: the underlying grpc.Channel (interceptors applied)
    """

    def __init__(self, channel: grpc.Channel, raw_channel: Optional[grpc.Channel] = None) -> None:
        self.channel = channel
        self._raw_channel = raw_channel if raw_channel is not None else channel
        self.inference = inference_pb2_grpc.InferenceServiceStub(channel)
        self.models = models_pb2_grpc.ModelsServiceStub(channel)
        self.transcribe = transcribe_pb2_grpc.TranscribeServiceStub(channel)
        self.budget = budget_pb2_grpc.BudgetServiceStub(channel)
        self.hardware = hardware_pb2_grpc.HardwareServiceStub(channel)

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Blocks until the channel is connected; raises grpc.FutureTimeoutError after ``timeout`` s."""
        grpc.channel_ready_future(self._raw_channel).result(timeout=timeout)

    def close(self) -> None:
        """Closes the channel; calls still running are cancelled."""
        self.channel.close()  # closes the underlying channel too

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


def _split_target(target: str, tls: bool) -> Tuple[str, bool]:
    """Accepts "host:port" as gRPC does, and also "http://host:port" / "https://host:port"."""
    for scheme, scheme_tls in (("http://", False), ("https://", True)):
        if target.startswith(scheme):
            rest = target[len(scheme):].rstrip("/")
            if "/" in rest:
                raise ValueError(f"target {target!r}: a gRPC target has no path; use {scheme}{rest.split('/')[0]}")
            if scheme_tls and not tls:
                tls = True
            elif not scheme_tls and tls:
                raise ValueError(f"target {target!r} says plaintext (http://) but tls=True; use https:// or host:port")
            return rest, tls
    if target == "":
        raise ValueError('target is empty; use "host:port", e.g. "127.0.0.1:8088"')
    return target, tls


def _auth_metadata(api_key: Optional[str]) -> _Metadata:
    if api_key is None:
        return ()
    if api_key == "" or api_key != api_key.strip() or not api_key.isprintable() or not api_key.isascii():
        # Do not echo the key: it is a secret.
        raise ValueError("api_key must be non-empty printable ASCII without surrounding whitespace")
    return (("authorization", f"Bearer {api_key}"),)


def connect(
    target: str,
    api_key: Optional[str] = None,
    tls: bool = False,
    default_timeout: Optional[float] = DEFAULT_TIMEOUT,
    *,
    root_certificates: Optional[bytes] = None,
    credentials: Optional[grpc.ChannelCredentials] = None,
    options: Optional[_ChannelOptions] = None,
) -> Client:
    """Opens a channel to hoosh and returns a Client with a stub per service.

    Args:
        target: "host:port" (e.g. "127.0.0.1:8088"); "http://host:port" and
            "https://host:port" are accepted too (https implies tls=True).
        api_key: sent as ``authorization: Bearer <api_key>`` on every call.
        tls: use TLS (system roots, or ``root_certificates``); plaintext HTTP/2 otherwise.
        default_timeout: deadline in seconds for calls that pass no ``timeout=``;
            None means no default deadline. It applies to streams too: pass a
            larger ``timeout=`` to a long GenerateStream.
        root_certificates: PEM roots for TLS (e.g. a private CA).
        credentials: full control over the channel credentials (e.g. mutual TLS);
            implies TLS.
        options: extra grpc channel options, appended to the defaults.

    The channel connects lazily: the first call (or ``Client.wait_ready()``) dials.
    """
    if default_timeout is not None and default_timeout <= 0:
        raise ValueError(f"default_timeout must be > 0 seconds or None, got {default_timeout!r}")
    address, use_tls = _split_target(target, tls or credentials is not None)
    auth = _auth_metadata(api_key)
    all_options = list(_DEFAULT_OPTIONS) + list(options or ())
    if use_tls:
        creds = credentials or grpc.ssl_channel_credentials(root_certificates=root_certificates)
        raw = grpc.secure_channel(address, creds, options=all_options)
    else:
        if root_certificates is not None:
            raise ValueError("root_certificates given but tls=False")
        raw = grpc.insecure_channel(address, options=all_options)
    channel = grpc.intercept_channel(raw, _CallDefaults(auth, default_timeout))
    return Client(channel, raw)
