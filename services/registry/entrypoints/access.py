"""The command routes' dependency on ``RegistryAccess``: the verified caller, checked for scope.

Every command controller lists it, so no command route runs without ``registry:write`` (403),
and each route then asks the ownership question its command raises.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from contracts.registry_events import CATALOGUE
from libs.common.eventstore.commands import CommandExecutor
from libs.common.http.auth import request_principal
from libs.common.runtime import ServiceRuntime
from services.registry.application.access import RegistryAccess


async def provide_access(request: Request[Any, Any, Any], runtime: NamedDependency[ServiceRuntime]) -> RegistryAccess:
    return RegistryAccess(CommandExecutor(runtime.pool, "registry", CATALOGUE), request_principal(request))


ACCESS = Provide(provide_access)
Access = NamedDependency[RegistryAccess]
