"""`python -m services.registry` runs the registry service on its port (TINHSO_REGISTRY_PORT)."""

from libs.common.serve import run_service
from services.registry.app import NAME, create_app

if __name__ == "__main__":
    run_service(NAME, create_app)
