"""`python -m services.broadcast` runs the broadcast service on its port (TINHSO_BROADCAST_PORT)."""

from libs.common.serve import run_service
from services.broadcast.app import NAME, create_app

if __name__ == "__main__":
    run_service(NAME, create_app)
