"""The GraphQL endpoint. Only the platform query exists yet; the partner contract comes next."""

from __future__ import annotations

import strawberry
from strawberry.litestar import make_graphql_controller
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from services.gateway.version import VERSION


@strawberry.type(description="The running platform.")
class Platform:
    version: str


@strawberry.type
class Query:
    @strawberry.field(description="Which tinhso version answers.")
    def platform(self) -> Platform:
        return Platform(version=VERSION)


schema = strawberry.Schema(query=Query)

GraphQLController = make_graphql_controller(
    schema,
    path="/graphql",
    graphql_ide="graphiql",
    # The legacy graphql-ws protocol is off on purpose: it has no connection_init auth step.
    subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
)
