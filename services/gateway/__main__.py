"""`python -m services.gateway` runs the gateway on its port (TINHSO_GATEWAY_PORT)."""

from libs.common.serve import run_service
from services.gateway.app import NAME, create_app

if __name__ == "__main__":
    run_service(NAME, create_app)
