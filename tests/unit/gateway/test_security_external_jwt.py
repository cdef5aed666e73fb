import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from libs.common.errors import UnauthorizedError
from libs.common.settings import load_settings
from services.gateway.security.external_jwt import ExternalJwtVerifier, JwtConfigError

ISSUER = "https://id.backan.gov.vn"
AUDIENCE = "tinhso"


def _claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-42", "iat": now, "exp": now + 300, **extra}


def _pem(key: Any) -> bytes:
    public: bytes = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public


def _verifier(tmp_path: Path, **settings: str) -> ExternalJwtVerifier:
    verifier = ExternalJwtVerifier.from_settings(
        load_settings({}, jwt_issuer=ISSUER, jwt_audience=AUDIENCE, **settings)
    )
    assert verifier is not None
    return verifier


@pytest.fixture
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_verifier(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> ExternalJwtVerifier:
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{**rsa_jwk, "kid": "rsa-1"}, {**ec_jwk, "kid": "ec-1"}]}))
    return _verifier(tmp_path, jwt_jwks_file=str(path))


def test_a_token_signed_by_a_jwks_key_names_the_principal_and_its_tinhso_scopes(
    jwks_verifier: ExternalJwtVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    token = jwt.encode(
        _claims(scope="read registry:write openid", organisation="viettel", unit_code="066", partner="viettel-bk"),
        rsa_key,
        algorithm="RS256",
        headers={"kid": "rsa-1"},
    )
    principal, expires = jwks_verifier.verify(token)
    assert principal.subject == "jwt:user-42"
    assert principal.scopes == {"read", "registry:write"}
    assert (principal.organisation, principal.unit_code, principal.partner) == ("VIETTEL", "066", "viettel-bk")
    assert expires > time.time()


def test_the_personal_data_scope_is_taken_from_a_token(
    jwks_verifier: ExternalJwtVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    """Failed before the fix: ``personal-data`` was not a tinhso scope, so it was dropped."""
    token = jwt.encode(_claims(scope="read personal-data"), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    principal, _ = jwks_verifier.verify(token)
    assert principal.scopes == {"read", "personal-data"}


# Claims are built when the test runs, not at collection: a suite that runs for longer than a
# token's lifetime would otherwise see every one of them as merely expired.
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"iss": "https://evil.example"}, "invalid_token"),
        ({"aud": "someone-else"}, "invalid_token"),
        ({"exp": -3600}, "token_expired"),
        ({"sub": None}, "invalid_token"),
    ],
)
def test_wrong_issuer_audience_expiry_or_missing_subject_is_refused(
    jwks_verifier: ExternalJwtVerifier, rsa_key: rsa.RSAPrivateKey, changes: dict[str, Any], code: str
) -> None:
    claims = _claims()
    for name, value in changes.items():
        if value is None:
            del claims[name]
        elif name == "exp":
            claims[name] = int(time.time()) + value
        else:
            claims[name] = value
    token = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    with pytest.raises(UnauthorizedError) as refused:
        jwks_verifier.verify(token)
    assert refused.value.code == code


def test_an_unknown_key_or_a_mismatched_kid_is_refused(jwks_verifier: ExternalJwtVerifier) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for kid in ["rsa-1", "nope", "ec-1"]:
        token = jwt.encode(_claims(), stranger, algorithm="RS256", headers={"kid": kid})
        with pytest.raises(UnauthorizedError):
            jwks_verifier.verify(token)


def test_alg_none_and_hmac_with_the_public_key_as_secret_are_refused(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem_path = tmp_path / "idp.pem"
    pem_path.write_bytes(_pem(key))
    verifier = _verifier(tmp_path, jwt_public_key_file=str(pem_path))
    unsigned = jwt.encode(_claims(), "", algorithm="none")
    with pytest.raises(UnauthorizedError):
        verifier.verify(unsigned)
    # The classic confusion attack: an HMAC token keyed with the (public) PEM bytes.
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = jwt.utils.base64url_encode(json.dumps(_claims()).encode())
    signature = jwt.utils.base64url_encode(hmac.new(_pem(key), header + b"." + payload, hashlib.sha256).digest())
    with pytest.raises(UnauthorizedError):
        verifier.verify((header + b"." + payload + b"." + signature).decode())
    assert verifier.verify(jwt.encode(_claims(), key, algorithm="RS256"))[0].subject == "jwt:user-42"


def test_an_ed25519_pem_key_verifies_eddsa_tokens(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path / "ed.pem"
    path.write_bytes(_pem(key))
    verifier = _verifier(tmp_path, jwt_public_key_file=str(path))
    principal, _ = verifier.verify(jwt.encode(_claims(scope=["admin"]), key, algorithm="EdDSA"))
    assert principal.is_admin


def test_a_malformed_scope_claim_or_garbage_token_is_a_401(jwks_verifier: ExternalJwtVerifier) -> None:
    for garbage in ["x", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.", "..", "e30.e30.e30"]:
        with pytest.raises(UnauthorizedError):
            jwks_verifier.verify(garbage)


def test_configuration_mistakes_name_the_variable(tmp_path: Path) -> None:
    assert ExternalJwtVerifier.from_settings(load_settings({})) is None
    with pytest.raises(JwtConfigError, match="TINHSO_JWT_AUDIENCE"):
        ExternalJwtVerifier.from_settings(load_settings({}, jwt_issuer=ISSUER))
    with pytest.raises(JwtConfigError, match="TINHSO_JWT_ALGORITHMS"):
        _verifier(tmp_path, jwt_public_key_file="x", jwt_algorithms="HS256")
    with pytest.raises(JwtConfigError, match="exactly one"):
        _verifier(tmp_path)
    with pytest.raises(JwtConfigError, match="TINHSO_JWT_PUBLIC_KEY_FILE"):
        _verifier(tmp_path, jwt_public_key_file=str(tmp_path / "missing.pem"))
    rsa_pem = tmp_path / "rsa.pem"
    rsa_pem.write_bytes(_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    with pytest.raises(JwtConfigError, match="usable"):
        _verifier(tmp_path, jwt_public_key_file=str(rsa_pem), jwt_algorithms="EdDSA")
