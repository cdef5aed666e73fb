"""Every Kafka client is built by one function that applies the broker security settings.

Before the fix, the producer, the projection and relay consumers, the gateway's live consumer
and the admin client were each built with ``bootstrap_servers`` alone: there was no way to
give them SASL credentials or TLS, so tinhso could only talk to an open, plaintext cluster.
"""

from __future__ import annotations

import datetime
import re
import ssl
from pathlib import Path
from typing import Any

import msgspec
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from libs.common.event_signing import ensure_event_keys
from libs.common.kafka import KafkaAccess, client_options, kafka_access, make_admin, make_consumer, make_producer
from libs.common.settings import Settings, SettingsError, load_settings
from services.gateway.events.consumer import GatewayConsumer

ROOT = Path(__file__).resolve().parents[2]


def _client_of(client: AIOKafkaProducer | AIOKafkaConsumer | AIOKafkaAdminClient) -> Any:
    """The connection settings aiokafka keeps, read back from the client actually built."""
    return client.client if isinstance(client, AIOKafkaProducer) else client._client


async def _built_clients(settings: Settings) -> list[Any]:
    access = kafka_access(settings)
    producer = make_producer(settings, client_id="t-producer")
    consumer = make_consumer(access, group_id=None, client_id="t-consumer")
    admin = make_admin(access)
    return [_client_of(producer), _client_of(consumer), _client_of(admin)]


def _sasl(protocol: str, mechanism: str) -> Settings:
    return load_settings(
        {
            "TINHSO_KAFKA_BOOTSTRAP": "kafka-1:9093,kafka-2:9093",
            "TINHSO_KAFKA_SECURITY_PROTOCOL": protocol,
            "TINHSO_KAFKA_SASL_MECHANISM": mechanism,
            "TINHSO_KAFKA_SASL_USERNAME": "tinhso-registry",
            "TINHSO_KAFKA_SASL_PASSWORD": "s3cret-pass",
        }
    )


@pytest.mark.parametrize(
    ("protocol", "mechanism"),
    [
        ("SASL_SSL", "SCRAM-SHA-512"),
        ("SASL_SSL", "SCRAM-SHA-256"),
        ("SASL_SSL", "PLAIN"),
        ("SASL_PLAINTEXT", "SCRAM-SHA-512"),
        ("SASL_PLAINTEXT", "SCRAM-SHA-256"),
    ],
)
async def test_every_client_authenticates_with_the_configured_sasl_mechanism(protocol: str, mechanism: str) -> None:
    """Failed before the fix: the settings did not exist (an unknown TINHSO_ variable)."""
    for client in await _built_clients(_sasl(protocol, mechanism)):
        assert client._bootstrap_servers == "kafka-1:9093,kafka-2:9093"
        assert client._security_protocol == protocol
        assert client._sasl_mechanism == mechanism
        assert client._sasl_plain_username == "tinhso-registry"
        assert client._sasl_plain_password == "s3cret-pass"
        assert isinstance(client._ssl_context, ssl.SSLContext) is (protocol == "SASL_SSL")


async def test_plaintext_is_the_default_and_adds_no_credentials() -> None:
    for client in await _built_clients(load_settings({"TINHSO_KAFKA_BOOTSTRAP": "kafka:9092"})):
        assert client._security_protocol == "PLAINTEXT"
        assert client._ssl_context is None
        assert client._sasl_plain_username is None


def test_the_password_can_come_from_a_file_and_never_shows_in_a_repr(tmp_path: Path) -> None:
    secret = tmp_path / "kafka-password"
    secret.write_text("from-a-file\n")
    settings = load_settings(
        {
            "TINHSO_KAFKA_BOOTSTRAP": "kafka:9093",
            "TINHSO_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "TINHSO_KAFKA_SASL_USERNAME": "tinhso",
            "TINHSO_KAFKA_SASL_PASSWORD_FILE": str(secret),
        }
    )
    access = kafka_access(settings)
    assert client_options(access)["sasl_plain_password"] == "from-a-file"
    assert client_options(access)["sasl_mechanism"] == "SCRAM-SHA-512"
    assert "from-a-file" not in repr(access)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TINHSO_KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}, ["TINHSO_KAFKA_SASL_USERNAME"]),
        (
            {"TINHSO_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "TINHSO_KAFKA_SASL_USERNAME": "u"},
            ["TINHSO_KAFKA_SASL_PASSWORD"],
        ),
        ({"TINHSO_KAFKA_SECURITY_PROTOCOL": "TLS"}, ["TINHSO_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"]),
        ({"TINHSO_KAFKA_SASL_MECHANISM": "GSSAPI"}, ["TINHSO_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256"]),
        ({"TINHSO_KAFKA_SSL_CAFILE": "/ca.pem"}, ["TINHSO_KAFKA_SSL_CAFILE", "PLAINTEXT"]),
        (
            {
                "TINHSO_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                "TINHSO_KAFKA_SASL_MECHANISM": "PLAIN",
                "TINHSO_KAFKA_SASL_USERNAME": "u",
                "TINHSO_KAFKA_SASL_PASSWORD": "p",
            },
            ["TINHSO_KAFKA_SASL_MECHANISM=PLAIN", "SASL_SSL"],
        ),
        (
            {"TINHSO_KAFKA_BOOTSTRAP": "", "TINHSO_KAFKA_SECURITY_PROTOCOL": "SSL"},
            ["TINHSO_KAFKA_BOOTSTRAP", "embedded broker"],
        ),
    ],
)
def test_an_incomplete_security_configuration_stops_the_start(env: dict[str, str], names: list[str]) -> None:
    """Failed before the fix: the variables were unknown, so the message named none of this."""
    with pytest.raises(SettingsError) as caught:
        load_settings({"TINHSO_KAFKA_BOOTSTRAP": "kafka:9093", **env})
    assert "\n" not in str(caught.value)
    for name in names:
        assert name in str(caught.value)


def _write_ca_and_client(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a client certificate it signed, as PEM files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tinhso test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tinhso-registry")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "client.pem", directory / "client.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


async def test_tls_trusts_the_configured_ca_and_presents_the_client_certificate(tmp_path: Path) -> None:
    """Failed before the fix: no TLS setting existed and every client spoke plaintext."""
    ca, cert, key = _write_ca_and_client(tmp_path)
    settings = load_settings(
        {
            "TINHSO_KAFKA_BOOTSTRAP": "kafka:9094",
            "TINHSO_KAFKA_SECURITY_PROTOCOL": "SSL",
            "TINHSO_KAFKA_SSL_CAFILE": str(ca),
            "TINHSO_KAFKA_SSL_CERTFILE": str(cert),
            "TINHSO_KAFKA_SSL_KEYFILE": str(key),
        }
    )
    for client in await _built_clients(settings):
        context: ssl.SSLContext = client._ssl_context
        assert client._security_protocol == "SSL"
        assert context.verify_mode is ssl.CERT_REQUIRED
        assert context.check_hostname
        # The configured CA is the one trusted (create_default_context with a cafile loads only it).
        assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "tinhso test CA"),),)]


def test_a_client_key_that_does_not_match_its_certificate_is_refused_when_the_client_is_built(
    tmp_path: Path,
) -> None:
    ca, cert, _ = _write_ca_and_client(tmp_path)
    (tmp_path / "other").mkdir()
    _, _, other_key = _write_ca_and_client(tmp_path / "other")
    access = KafkaAccess(
        bootstrap="kafka:9094", security_protocol="SSL", ssl_cafile=str(ca), ssl_certfile=str(cert),
        ssl_keyfile=str(other_key),
    )  # fmt: skip
    with pytest.raises(ssl.SSLError):
        client_options(access)


def test_the_gateway_live_consumer_is_given_the_security_settings(tmp_path: Path) -> None:
    """Its own state directory with the event keys the consumer reads: the test passes on a
    clean checkout, not only where ``tinhso up`` has made ``.tinhso/``."""
    settings = msgspec.structs.replace(_sasl("SASL_SSL", "SCRAM-SHA-256"), state_dir=str(tmp_path))
    ensure_event_keys(settings, ("registry", "broadcast", "metrics"))
    consumer = GatewayConsumer(settings, hub=None, directory=None)  # type: ignore[arg-type]
    assert consumer.bootstrap == kafka_access(settings)


_BUILT_DIRECTLY = re.compile(r"\bAIOKafka(Consumer|Producer|AdminClient)\(")


def test_no_module_builds_an_aiokafka_client_but_libs_common_kafka() -> None:
    """Failed before the fix: runner.py, relay.py, the gateway consumer and bench built their own."""
    offenders = [
        str(path.relative_to(ROOT))
        for top in ("libs", "services", "bench")
        for path in (ROOT / top).rglob("*.py")
        if _BUILT_DIRECTLY.search(path.read_text()) and path != ROOT / "libs/common/kafka.py"
    ]
    assert offenders == []


def test_tls_files_that_cannot_be_loaded_stop_the_start_naming_the_variables(tmp_path: Path) -> None:
    """Failed before the fix: the settings were accepted, and the producer's connect task then
    died on the ssl.SSLError of its first build."""
    ca, cert, _ = _write_ca_and_client(tmp_path)
    (tmp_path / "other").mkdir()
    _, _, other_key = _write_ca_and_client(tmp_path / "other")
    tls = {"TINHSO_KAFKA_BOOTSTRAP": "kafka:9094", "TINHSO_KAFKA_SECURITY_PROTOCOL": "SSL"}
    with pytest.raises(SettingsError, match="TINHSO_KAFKA_SSL_CAFILE"):
        load_settings({**tls, "TINHSO_KAFKA_SSL_CAFILE": str(tmp_path / "missing.pem")})
    with pytest.raises(SettingsError, match="TINHSO_KAFKA_SSL_CERTFILE"):
        load_settings(
            {**tls, "TINHSO_KAFKA_SSL_CAFILE": str(ca), "TINHSO_KAFKA_SSL_CERTFILE": str(cert),
             "TINHSO_KAFKA_SSL_KEYFILE": str(other_key)}
        )  # fmt: skip
