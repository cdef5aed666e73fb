"""`python -m services.gateway` runs the gateway on its port (TINHSO_GATEWAY_PORT)."""

import gc

from libs.common.serve import run_service
from services.gateway.app import NAME, create_app

GC_THRESHOLDS = (50_000, 10, 10)
"""A GraphQL operation allocates tens of thousands of short-lived objects (a task, an info, a
result per field); at the default 700 allocations per young collection, with a few dozen
operations in flight, the collector ran so often it cost as much as executing them."""

if __name__ == "__main__":
    gc.set_threshold(*GC_THRESHOLDS)
    run_service(NAME, create_app)
