"""`python -m services.gateway` runs the gateway on its port (TINHSO_GATEWAY_PORT), in
``TINHSO_GATEWAY_WORKERS`` processes."""

import gc

from libs.common.serve import run_service
from services.gateway.app import NAME, create_app
from services.gateway.workers import GC_THRESHOLDS, workers

if __name__ == "__main__":
    gc.set_threshold(*GC_THRESHOLDS)
    run_service(NAME, create_app, workers=workers, factory="services.gateway.workers:app")
