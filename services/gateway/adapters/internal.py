"""Calls to the internal services on a caller's behalf: signed principal, trace context, counts.

Every call carries the caller's principal as the gateway-signed token (services reject calls
without it), signed for the service called and for the call's method and path, so a token seen
on the way is good for nothing else (ADR 0021); and the current trace context, so the
gateway's request span is the parent of the service's. A service's refusal (4xx with
``{"code", "message", "details"}``) becomes a ``ServiceError`` carrying the service's own code;
anything else (unreachable, 5xx, a body that is not what the contract says) is a
``ServiceUnavailableError`` the API masks.

A caller also remembers the last command it sent (``last_write``: its stream and position), so
that reading the write back can wait for the read model to apply it (``applied_watch``), and
the warnings its answer carries (``warnings``), such as a read model that had not caught up.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
import msgspec
from httpx_aiohttp import AiohttpTransport
from opentelemetry.trace import SpanKind

from contracts.services import INTERNAL
from libs.common.errors import DomainError, InvalidInputError
from libs.common.eventstore.results import CommandResult
from libs.common.principal import Principal, PrincipalSigner
from libs.common.settings import Settings
from libs.common.tracing import current_traceparent, tracer
from services.gateway.adapters.applied_watch import AppliedWatch, Written

T = TypeVar("T")

TIMEOUT = httpx.Timeout(10.0)
"""Connecting too: the wait is measured on this process's event loop, which a burst of 200
requests keeps busy for seconds, and a connect bounded at 2 s failed there (``ConnectTimeout``
to a service that was up, ADR 0057). A service that is down refuses at once; one that does not
answer at all costs the same 10 s as one that does not answer a call."""
POOL = httpx.Limits(max_connections=200, max_keepalive_connections=100, keepalive_expiry=2.0)
"""An idle connection is dropped after 2 s, before the services' servers close it (uvicorn: 5 s
idle): with both at 5 s, a call sent on a connection the server was closing failed with a read
error, which a partner saw as ``service_unavailable``."""


class ServiceError(DomainError):
    """A service refused a call; ``status`` is its HTTP status, ``code`` its own error code."""

    def __init__(self, service: str, status: int, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message, code=code, details=details)
        self.service = service
        self.status = status


class ServiceUnavailableError(Exception):
    """A service could not answer (down, 5xx, or an answer that breaks its contract)."""


MAX_IDEMPOTENCY_KEY = 200
"""The services' own bound on an ``Idempotency-Key`` (``libs.common.http.commands``)."""


def checked_idempotency_key(key: str) -> str:
    """A partner's key as a header value: visible ASCII only (an HTTP header cannot carry
    Vietnamese text or a line break), at most the services' length."""
    if len(key) > MAX_IDEMPOTENCY_KEY or not all("!" <= char <= "~" for char in key):
        raise InvalidInputError(
            f"an idempotency key is 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters (no spaces)",
            code="invalid_idempotency_key",
        )
    return key


def refuse_route_changing_ids(path: str) -> None:
    """Ids from a partner's input are placed in paths as they are: one holding ``?`` or ``#``,
    or a ``.``/``..`` segment, would make the HTTP client send another path than the one signed
    (and meant), which the service refuses as a bad token; one holding a control character is
    no URL at all (the HTTP client refuses to build it). Said here as what it is."""
    if "?" in path or "#" in path or any(segment in {".", ".."} for segment in path.split("/")):
        raise InvalidInputError(f"an id may not hold '?' or '#' or be '.' or '..': {path!r}", code="invalid_id")
    if not path.isprintable():
        raise InvalidInputError(f"an id may not hold a control character: {path!r}", code="invalid_id")


class _ErrorBody(msgspec.Struct):
    code: str = "error"
    message: str = ""
    details: dict[str, Any] = {}


Read = tuple[Mapping[str, str] | None, bytes | None, object]
"""One internal read as the response cache scopes it: its query parameters, body and answer."""


class CallStats:
    """Internal calls made while serving one request, per service (tests and logs read it)."""

    def __init__(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.reads: list[Read] | None = None
        """The reads made, while an answer that may be cached is being built (else None)."""

    def record(self, service: str) -> None:
        self.calls[service] += 1


class AnswerWarning(msgspec.Struct, frozen=True, kw_only=True):
    """Something a caller should know about an answer that succeeded: a stable ``code``."""

    code: str
    message: str


class InternalServices:
    """One pooled HTTP client for the three services, shared by every request of the process."""

    def __init__(
        self,
        settings: Settings,
        signer: PrincipalSigner,
        client: httpx.AsyncClient | None = None,
        watch: AppliedWatch | None = None,
    ) -> None:
        """``watch``: the read models' commits, which a mutation reading back its write waits
        for (None: it waits until ``read_back_seconds`` and reads once)."""
        self._urls = {name: settings.service_url(name) for name in INTERNAL}
        self._topics = {name: settings.topic(name) for name in INTERNAL}
        self._signer = signer
        # httpx's API over aiohttp's connections, which cost the gateway a third of the CPU
        # per internal call that httpcore's pool does (ADR 0062, bench/internal_client.py).
        self.client = client or httpx.AsyncClient(timeout=TIMEOUT, transport=AiohttpTransport(limits=POOL))
        self.watch = watch
        self.read_back_seconds = settings.gateway_read_back_seconds
        self.write_listeners: list[Callable[[str, bytes | None], None]] = []
        """Told a command's path and body once it is answered, and again after each call that
        follows it on the same caller (the read-back of its write)."""

    def written(self, service: str, result: CommandResult) -> Written:
        return Written(service, self._topics[service], result.stream_id, result.position)

    def caller(self, principal: Principal, stats: CallStats | None = None) -> ServiceCaller:
        return ServiceCaller(self, principal, stats or CallStats())

    async def close(self) -> None:
        await self.client.aclose()

    def url(self, service: str, path: str) -> str:
        return self._urls[service] + path

    def headers(
        self, principal: Principal, service: str, method: str, path: str, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        # The path the gateway means, not what the HTTP client makes of it: an id with dot
        # segments or an encoded slash reaches another route, and the service, comparing the
        # path it decoded with the token's, refuses it (401) instead of serving that route.
        headers = self._signer.headers(principal, service=service, method=method, path=path)
        traceparent = current_traceparent()
        if traceparent:
            headers["traceparent"] = traceparent
        if extra:
            headers.update(extra)
        return headers


class ServiceCaller:
    """The services as one caller sees them: its principal on every call, its stats counted."""

    def __init__(self, services: InternalServices, principal: Principal, stats: CallStats) -> None:
        self.services = services
        self.principal = principal
        self.stats = stats
        self.last_write: Written | None = None
        """The last command this caller sent: what reading back its write waits for."""
        self.warnings: list[AnswerWarning] = []
        self.wrote: tuple[str, bytes | None] | None = None
        """The last command sent (path, body): every call after it may read back its write."""

    async def get(self, service: str, path: str, params: Mapping[str, str], result_type: type[T]) -> T:
        result: T = await self._call("GET", service, path, result_type, params=params)
        return result

    async def get_raw(self, service: str, path: str, params: Mapping[str, str]) -> bytes:
        """A read whose answer is not JSON (a CSV file), returned as the service sent it."""
        raw: bytes = await self._call("GET", service, path, None, params=params)
        return raw

    async def post(
        self,
        service: str,
        path: str,
        body: object,
        result_type: type[T],
        *,
        idempotency_key: str | None = None,
        content: bytes | None = None,
        content_type: str = "application/json",
        timeout: httpx.Timeout = TIMEOUT,
        written: bytes | None = None,
    ) -> T:
        """``written``: what the response cache is told the command wrote, when the body says it
        at too great a length (a batch: its items' keys, each once); else the body."""
        headers = {"content-type": content_type}
        if idempotency_key:
            headers["idempotency-key"] = checked_idempotency_key(idempotency_key)
        payload = content if content is not None else msgspec.json.encode(body)
        result: T = await self._call(
            "POST", service, path, result_type, content=payload, headers=headers, timeout=timeout, written=written
        )
        if isinstance(result, CommandResult):
            self.last_write = self.services.written(service, result)
        return result

    async def post_raw(
        self,
        service: str,
        path: str,
        content: bytes,
        content_type: str,
        *,
        idempotency_key: str | None = None,
        timeout: float = 300.0,
    ) -> bytes:
        """A body forwarded as it is (bulk files), its answer returned as raw JSON."""
        headers = {"content-type": content_type}
        if idempotency_key:
            headers["idempotency-key"] = checked_idempotency_key(idempotency_key)
        raw: bytes = await self._call(
            "POST", service, path, None, content=content, headers=headers, timeout=httpx.Timeout(timeout, connect=2.0)
        )
        return raw

    async def _call(
        self,
        method: str,
        service: str,
        path: str,
        result_type: type[T] | None,
        *,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout = TIMEOUT,
        written: bytes | None = None,
    ) -> Any:
        refuse_route_changing_ids(path)
        self.stats.record(service)
        # A command, and whatever reads back its write, tell the response cache when they are
        # done, answered or not: from then on an answer read before is older than the write.
        if method != "GET" and not path.startswith("/queries/"):
            self.wrote = (path, content if written is None else written)
        try:
            result = await self._send(
                method, service, path, result_type, params=params, content=content, headers=headers, timeout=timeout
            )
        finally:
            if self.wrote is not None:
                for listener in self.services.write_listeners:
                    listener(*self.wrote)
        if self.stats.reads is not None and self.wrote is None:
            self.stats.reads.append((params, content, result))
        return result

    async def _send(
        self,
        method: str,
        service: str,
        path: str,
        result_type: type[T] | None,
        *,
        params: Mapping[str, str] | None,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        timeout: httpx.Timeout,
    ) -> Any:
        attributes = {"tinhso.service": service, "http.request.method": method, "url.path": path}
        with tracer().start_as_current_span(f"{method} {service}{path}", kind=SpanKind.CLIENT, attributes=attributes):
            try:
                response = await self.services.client.request(
                    method,
                    self.services.url(service, path),
                    params=params,
                    content=content,
                    headers=self.services.headers(self.principal, service, method, path, headers),
                    timeout=timeout,
                )
            except httpx.HTTPError as exc:
                raise ServiceUnavailableError(f"{service} {method} {path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise ServiceUnavailableError(f"{service} {method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            try:
                body = msgspec.json.decode(response.content, type=_ErrorBody)
            except msgspec.DecodeError:
                body = _ErrorBody(code=f"http_{response.status_code}", message=response.text[:500])
            raise ServiceError(service, response.status_code, body.code, body.message, body.details)
        if result_type is None:
            return response.content
        try:
            return msgspec.json.decode(response.content, type=result_type)
        except msgspec.DecodeError as exc:
            raise ServiceUnavailableError(f"{service} {method} {path}: unexpected answer: {exc}") from exc
