"""Whatever arrives in the Authorization header, the answer is anonymous or a 401, never a crash."""

import asyncio
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from libs.common.errors import UnauthorizedError
from services.gateway.security import api_keys
from services.gateway.security.external_jwt import ExternalJwtVerifier, VerificationKey
from services.gateway.security.identity import Authenticator
from services.gateway.security.partner_store import KeyRecord
from services.gateway.security.partners import Partner

KEY = ec.generate_private_key(ec.SECP256R1())
ISSUER, AUDIENCE = "https://id.example", "tinhso"
STORED = api_keys.generate()


class OneKeyStore:
    """Stands in for PostgreSQL: knows one key (the store has its own integration tests)."""

    async def key(self, key_id: str) -> KeyRecord | None:
        if key_id != STORED.key_id:
            return None
        partner = Partner(name="vnpt", scopes=frozenset({"read"}), organisation="VNPT")
        return KeyRecord(key_id=key_id, secret_hash=STORED.secret_hash, expires_at=None, partner=partner)


def _authenticator() -> Authenticator:
    verifier = ExternalJwtVerifier(
        [VerificationKey(kid=None, algorithm="ES256", key=KEY.public_key())],
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=frozenset({"ES256"}),
    )
    return Authenticator(OneKeyStore(), verifier, cache_seconds=0)  # type: ignore[arg-type]


def _outcome(header: str) -> str:
    try:
        principal = asyncio.run(_authenticator().authenticate(header))
    except UnauthorizedError as exc:
        return f"401 {exc.code}"
    return "anonymous" if principal is None else f"principal {principal.subject}"


headers = st.one_of(
    st.text(max_size=300),
    st.builds(lambda t: f"Bearer {t}", st.text(max_size=300)),
    st.builds(lambda t: f"Bearer tsk_{t}", st.text(alphabet="0123456789abcdef_-AZaz", max_size=80)),
    st.builds(lambda a, b, c: f"Bearer {a}.{b}.{c}", st.text(max_size=60), st.text(max_size=60), st.text(max_size=60)),
)


@given(header=headers)
@settings(max_examples=300, deadline=None)
def test_any_header_is_anonymous_or_a_401(header: str) -> None:
    outcome = _outcome(header)
    assert outcome == "anonymous" or outcome.startswith("401 "), outcome


def test_the_known_key_and_a_valid_jwt_authenticate_and_near_misses_do_not() -> None:
    assert _outcome(f"Bearer {STORED.token}") == "principal partner:vnpt"
    assert _outcome(f"bearer   {STORED.token}  ") == "principal partner:vnpt"
    assert _outcome(f"Bearer {STORED.token[:-1]}") == "401 invalid_api_key"
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "exp": now + 60}
    assert _outcome(f"Bearer {jwt.encode(claims, KEY, algorithm='ES256')}") == "principal jwt:u1"
    other = ec.generate_private_key(ec.SECP384R1())
    assert _outcome(f"Bearer {jwt.encode(claims, other, algorithm='ES384')}").startswith("401")
    assert _outcome("   ") == "anonymous"
