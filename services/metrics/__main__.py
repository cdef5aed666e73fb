"""`python -m services.metrics` runs the metrics service on its port (TINHSO_METRICS_PORT)."""

from libs.common.serve import run_service
from services.metrics.app import NAME, create_app

if __name__ == "__main__":
    run_service(NAME, create_app)
