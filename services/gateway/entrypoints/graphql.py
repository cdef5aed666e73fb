"""The GraphQL endpoint at /graphql: queries and mutations over HTTP, subscriptions over
WebSocket (graphql-transport-ws only), GraphiQL for a browser.

Who calls is decided here, once per request: the HTTP context getter authenticates the
``Authorization`` header and charges the request's token before the body is read; a WebSocket
authenticates in ``connection_init`` (payload ``{"authorization": "Bearer …"}``) and counts
against the caller's WebSockets until it closes. Until connection_init a socket is counted
against its client host (``TINHSO_GATEWAY_MAX_PENDING_WEBSOCKETS_PER_HOST``; past it a new one
is closed with 4429), so sockets that never authenticate cannot be held open without bound.
The legacy graphql-ws protocol is off on purpose: it has no connection_init authentication step.

A POST body may be ``TINHSO_GATEWAY_GRAPHQL_MAX_BODY_BYTES`` (the document limit and room for
variables), not the 8 MiB the import takes: a larger one is answered 413 before it is read.
Every query and mutation, over HTTP or a WebSocket, runs in one of its caller's execution
slots, taken around execution once the body is in (``security.charging.ExecutionSlot``), and
is charged what it costs (ADR 0018).

strawberry's Litestar controller is subclassed only to declare its handlers' dependencies
explicitly (Litestar deprecates inferred ones), to authenticate in ``on_ws_connect``, and to
serve GraphiQL with its assets from the gateway (``render_graphql_ide``, strawberry's hook for
a custom page), so it works on a closed network; and to run subscriptions through
``graphql.live_frames.LiveOperations``, which lets the live feed send its own messages.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import strawberry
from cross_web import HTTPException as StrawberryHTTPException
from litestar import MediaType, Request, Response, WebSocket, get, post, websocket
from litestar.background_tasks import BackgroundTasks
from litestar.datastructures import Headers
from litestar.di import NamedDependency, Provide
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException, ValidationException
from litestar.types import Scope
from strawberry.exceptions import ConnectionRejectionError
from strawberry.litestar import make_graphql_controller
from strawberry.litestar.controller import GraphQLResource
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from libs.common.errors import DomainError
from services.gateway.entrypoints.graphiql_page import graphiql_html
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.graphql.live_frames import LiveOperations, encoded_or_none
from services.gateway.security.callers import caller_key
from services.gateway.security.charging import Meter
from services.gateway.security.slots import CapReachedError, Held
from services.gateway.security.wiring import GatewaySecurity

PENDING = "tinhso.pending_socket"
"""Where a WebSocket's place among its host's sockets awaiting connection_init is kept (scope state)."""
PENDING_LIMIT_CLOSE = 4429
"""graphql-transport-ws's code for too many initialisation requests."""


async def _refuse(socket: WebSocket[Any, Any, Any], refused: CapReachedError) -> None:
    """Accepted only to be closed with a code and reason a client can read (a refused handshake
    would be a bare 403)."""
    protocol = GRAPHQL_TRANSPORT_WS_PROTOCOL
    await socket.accept(subprotocols=protocol if protocol in (socket.scope.get("subprotocols") or []) else None)
    await socket.close(code=PENDING_LIMIT_CLOSE, reason=refused.message[:120])


def _response() -> Response[Any]:
    return Response({}, background=BackgroundTasks([]))


async def _no_root_value() -> None:
    return None


def graphql_controller(
    schema: strawberry.Schema, gateway: Gateway, security: GatewaySecurity, *, max_body_bytes: int
) -> type:
    """``max_body_bytes``: the largest body a POST may have (``TINHSO_GATEWAY_GRAPHQL_MAX_BODY_BYTES``),
    far below the import's: a larger one is answered 413 before more of it is read."""

    async def caller_context(scope: Scope, headers: Headers) -> GatewayContext:
        if scope["type"] == ScopeType.WEBSOCKET:
            # Authenticated in connection_init; until then the connection is anonymous.
            return GatewayContext.create(gateway, None, cache=False)
        principal = await security.admit(headers.get("authorization"), scope)
        context = GatewayContext.create(gateway, principal)
        context.meter = security.meter(principal, scope, prepaid=1)
        return context

    async def http_context(
        custom_context: NamedDependency[GatewayContext],
        response: NamedDependency[Response[Any]],
        request: Request[Any, Any, Any],
    ) -> GatewayContext:
        custom_context.request = request
        custom_context.response = response
        return custom_context

    async def ws_context(
        custom_context: NamedDependency[GatewayContext], socket: WebSocket[Any, Any, Any]
    ) -> GatewayContext:
        custom_context.websocket = socket
        return custom_context

    base: Any = make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide="graphiql" if gateway.limits.graphiql else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=gateway.limits.max_subscriptions_per_connection,
        keep_alive=True,
        keep_alive_interval=15,
    )

    class GatewayGraphQLController(base):  # type: ignore[misc]
        graphql_transport_ws_handler_class = LiveOperations
        dependencies = {  # noqa: RUF012 - Litestar reads it from the class
            "custom_context": Provide(caller_context),
            "context": Provide(http_context),
            "context_ws": Provide(ws_context),
            "root_value": Provide(_no_root_value),
            "response": Provide(_response, sync_to_thread=False),
        }

        @get(raises=[ValidationException, NotFoundException])
        async def handle_http_get(
            self,
            request: Request[Any, Any, Any],
            context: NamedDependency[GatewayContext],
            root_value: NamedDependency[None],
            response: NamedDependency[Response[Any]],
        ) -> Response[GraphQLResource | str]:
            self.temporal_response = response
            result: Response[GraphQLResource | str] = await self.execute_request(
                request=request, context=context, root_value=root_value
            )
            return result

        # Refused as soon as the Content-Length (or the bytes received) pass it, after the
        # caller was admitted and before the rest of the body is read.
        @post(status_code=200, request_max_body_size=max_body_bytes)
        async def handle_http_post(
            self,
            request: Request[Any, Any, Any],
            context: NamedDependency[GatewayContext],
            root_value: NamedDependency[None],
            response: NamedDependency[Response[Any]],
        ) -> Response[GraphQLResource | str]:
            self.temporal_response = response
            # The execution slot (``charging.ExecutionSlot``) is taken once the body is in and
            # parsed: a body that trickles in holds no slot, and the edge's timeout bounds it.
            result: Response[GraphQLResource | str] = await self.execute_request(
                request=request, context=context, root_value=root_value
            )
            return result

        @websocket()
        async def websocket_endpoint(
            self,
            socket: WebSocket[Any, Any, Any],
            context_ws: NamedDependency[GatewayContext],
            root_value: NamedDependency[None],
        ) -> None:
            try:
                pending = security.pending_sockets.hold(caller_key(None, security.client_host(socket.scope)))
            except CapReachedError as refused:
                await _refuse(socket, refused)
                return
            socket.scope.setdefault("state", {})[PENDING] = pending
            try:
                await self.run(request=socket, context=context_ws, root_value=root_value)
            finally:
                pending.release()
                context_ws.stop_watching()
                if isinstance(context_ws.meter, Meter):  # counted in on_ws_connect
                    security.sockets.close(context_ws.meter.key)

        async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
            return Response(graphiql_html(), media_type=MediaType.HTML)

        def encode_json(self, data: object) -> str | bytes:
            # A live-feed message the resolver encoded itself (``live_frames.EncodedMessage``).
            encoded = encoded_or_none(data)
            if encoded is not None:
                return encoded
            result: str | bytes = super().encode_json(data)
            return result

        def decode_json(self, data: str | bytes) -> object:
            # strawberry calls .get() on what the body decodes to: a JSON scalar (`true`, `1`,
            # `"x"`) or a batch of scalars would be a 500. Only objects (and batches of them) pass.
            decoded = json.loads(data)
            items = decoded if isinstance(decoded, list) else [decoded]
            if not all(isinstance(item, dict) for item in items):
                raise StrawberryHTTPException(400, "the request body must be a JSON object")
            return decoded

        async def on_ws_connect(self, context: GatewayContext) -> UnsetType | dict[str, object] | None:
            params = context.connection_params or {}
            authorization = params.get("authorization") or params.get("Authorization")
            socket = context.websocket
            if socket is None:  # ws_context sets it before strawberry calls this
                raise ConnectionRejectionError({"code": "INTERNAL", "message": "no socket"})
            pending = socket.scope.get("state", {}).get(PENDING)
            if isinstance(pending, Held):  # from here on the socket is its caller's, or closed
                pending.release()
            try:
                principal = await security.admit(
                    authorization if isinstance(authorization, str) else None, socket.scope
                )
                meter = security.meter(principal, socket.scope, prepaid=0)
                security.sockets.open(meter.key)
            except DomainError as exc:
                raise ConnectionRejectionError({"code": exc.code.upper(), "message": exc.message}) from None
            context.meter = meter
            context.use_principal(principal)
            context.watch_credential(authorization if isinstance(authorization, str) else None)
            return {"subject": principal.subject if principal else None}

    return GatewayGraphQLController
