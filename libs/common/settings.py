"""Platform settings, read once from ``TINHSO_*`` environment variables.

Every field maps to one variable (``kafka_bootstrap`` -> ``TINHSO_KAFKA_BOOTSTRAP``) and
is validated by msgspec, so a wrong value fails at start-up with one line naming the
variable instead of a traceback deep inside a connection attempt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import msgspec

from contracts.services import service as catalogued
from libs.common.tls import client_context

ENV_PREFIX = "TINHSO_"

Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
PositiveInt = Annotated[int, msgspec.Meta(ge=1)]


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class LogFormat(StrEnum):
    """``auto``: human-readable lines on a terminal, JSON lines otherwise (a file, a collector)."""

    AUTO = "auto"
    JSON = "json"
    TEXT = "text"


class Idempotence(StrEnum):
    """Whether the Kafka producer asks for idempotent delivery.

    ``auto`` turns it on for a configured (real) cluster and off for the embedded broker,
    which does not implement the InitProducerId request.
    """

    AUTO = "auto"
    ON = "on"
    OFF = "off"


class Assignment(StrEnum):
    """How projection runners get their partitions.

    ``group`` joins a consumer group (scale-out across replicas); ``manual`` assigns every
    partition to the one process (starts at once; the embedded broker's group join takes
    about 5 s). ``auto`` is group on a configured cluster, manual on the embedded broker.
    """

    AUTO = "auto"
    GROUP = "group"
    MANUAL = "manual"


class KafkaSecurityProtocol(StrEnum):
    """How every Kafka client connects: Kafka's own names, so a cluster's docs apply as written."""

    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"

    @property
    def uses_sasl(self) -> bool:
        return self.value.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.value.endswith("SSL")


class SaslMechanism(StrEnum):
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    PLAIN = "PLAIN"
    """The password itself goes to the broker: only with ``SASL_SSL``."""


class ServiceRole(StrEnum):
    """What one process of an event-sourced service runs.

    ``all``: the HTTP API, the outbox relay, the projections and the service's background work,
    in one process. ``api``: the HTTP API only. ``backbone``: the relay, the projections and the
    background work, with only health and ``/admin`` over HTTP, on the service's port plus
    ``TINHSO_BACKBONE_PORT_OFFSET``. ``tinhso up`` runs an ``api`` and
    a ``backbone`` process per service, so a burst of requests does not queue behind a
    projection's batch on one event loop, nor the reverse (ADR 0012).
    """

    ALL = "all"
    API = "api"
    BACKBONE = "backbone"


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Documented in the README's configuration table; keep the two in step."""

    database_url: str = ""
    kafka_bootstrap: str = ""
    kafka_enable_idempotence: Idempotence = Idempotence.AUTO
    kafka_partitions: Annotated[int, msgspec.Meta(ge=1, le=256)] = 3
    kafka_replication_factor: Annotated[int, msgspec.Meta(ge=1, le=16)] = 1
    projection_assignment: Assignment = Assignment.AUTO
    kafka_fetch_wait_ms: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 25
    """How long a consumer's fetch may wait for data: the floor of the projections' latency."""
    kafka_security_protocol: KafkaSecurityProtocol = KafkaSecurityProtocol.PLAINTEXT
    """Every Kafka client (producer, consumers, admin, ``tinhso``) connects this way (ADR 0023)."""
    kafka_sasl_mechanism: SaslMechanism = SaslMechanism.SCRAM_SHA_512
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = ""
    kafka_sasl_password_file: str = ""
    """A file holding the SASL password (a mounted secret); set this or the password, not both."""
    kafka_ssl_cafile: str = ""
    """PEM CA bundle that signed the brokers' certificates; empty: the system's trust store."""
    kafka_ssl_certfile: str = ""
    """Client certificate (PEM) for brokers that require mutual TLS."""
    kafka_ssl_keyfile: str = ""
    kafka_ssl_check_hostname: bool = True
    service_role: ServiceRole = ServiceRole.ALL
    separate_backbone: bool = True
    """``tinhso up``: run each service's relay and projections in a process of their own."""
    backbone_port_offset: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 100
    topic_prefix: str = "tinhso"
    state_dir: str = ".tinhso"
    host: str = "127.0.0.1"
    gateway_port: Port = 8000
    registry_port: Port = 8001
    broadcast_port: Port = 8002
    metrics_port: Port = 8003
    registry_url: str = ""
    broadcast_url: str = ""
    metrics_url: str = ""
    log_level: LogLevel = LogLevel.INFO
    log_format: LogFormat = LogFormat.AUTO
    access_log: bool = True
    """One log line per HTTP request (method, route, status, duration, partner, GraphQL operation)."""
    otlp_endpoint: str = ""
    trace_sample_ratio: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 1.0
    db_pool_size: Annotated[int, msgspec.Meta(ge=1, le=200)] = 10
    db_acquire_timeout_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=300.0)] = 5.0
    """How long a request waits for a pooled connection before it is told 503 ``not_ready``."""
    db_command_timeout_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=3600.0)] = 15.0
    """How long one statement on a pooled connection may take before it is abandoned."""
    db_backbone_command_timeout_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=3600.0)] = 120.0
    """The same for the backbone's own pool (projection batches of up to 5,000 events, lock
    waits): longer than a request's, since a batch abandoned there is retried whole."""
    ready_timeout_seconds: PositiveInt = 60
    incident_ack_deadline_minutes: Annotated[float, msgspec.Meta(gt=0.0, le=7 * 24 * 60)] = 30.0
    """Minutes an incident may stay unacknowledged before the operations centre is alerted (ADR 0051)."""
    source_webhook_url: str = ""
    """Where the broadcast service posts each aired result of a received bulletin (ADR 0054); empty: pull only."""
    source_webhook_secret: str = ""
    """The secret shared with the webhook's receiver: each post is signed with HMAC-SHA256 of its body."""
    source_webhook_timeout_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=300.0)] = 10.0
    source_webhook_retry_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=3600.0)] = 10.0
    """The pause after a refused post; it doubles at each refusal, up to the next setting."""
    source_webhook_retry_max_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=86_400.0)] = 3600.0
    principal_private_key_file: str = ""
    """The gateway's Ed25519 signing key (PEM); empty: ``<state_dir>/keys/principal-ed25519.pem``."""
    principal_public_key_file: str = ""
    """The key services verify principal tokens with; empty: ``<state_dir>/keys/principal-ed25519.pub.pem``."""
    principal_token_ttl_seconds: Annotated[int, msgspec.Meta(ge=2, le=60)] = 10
    """A principal token's lifetime; it is bound to one service and request (ADR 0021)."""
    event_keys_dir: str = ""
    """Each service's event key (``<service>.key``) its relay signs records with; empty: ``<state_dir>/keys/events``."""
    auth_cache_seconds: Annotated[float, msgspec.Meta(ge=0.0, le=60.0)] = 5.0
    """How long the gateway trusts a credential it checked: the bound on a revoke's delay."""
    ws_recheck_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=300.0)] = 30.0
    """How often an open WebSocket's credential is checked again; a refused one is closed (4403)."""
    rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 1200
    """Requests a minute per partner, across every gateway replica; 0 turns the limit off."""
    rate_limit_burst: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 200
    rate_limit_anonymous_per_minute: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 120
    """Requests a minute per client host without credentials; 0 turns the limit off."""
    rate_limit_anonymous_burst: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 30
    rate_limit_bulk_items_per_minute: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)] = 600_000
    """Items a minute per partner on the bulk routes and batch mutations, apart from the request
    limit (ADR 0040); ``0`` turns it off."""
    rate_limit_bulk_items_burst: Annotated[int, msgspec.Meta(ge=10_000, le=100_000_000)] = 20_000
    """Items a partner may send at once: at least one full batch (10,000 items)."""
    idempotency_retention_hours: Annotated[int, msgspec.Meta(ge=0, le=100 * 365 * 24)] = 30 * 24
    """How long a command's or a bulk item's idempotency record is kept (ADR 0046): a retry after
    that is a new command. ``0`` keeps them forever."""
    idempotency_retention_batch: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 2_000
    """Expired records deleted per statement: small deletes never hold up commands for long."""
    gateway_max_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=256 * 1024 * 1024)] = 8 * 1024 * 1024
    gateway_persisted_queries_only: bool = False
    """Production: run only GraphQL documents stored by hash (APQ); only an admin may store new ones."""
    gateway_graphql_max_document_bytes: Annotated[int, msgspec.Meta(ge=256, le=8 * 1024 * 1024)] = 64 * 1024
    """The largest GraphQL document /graphql parses (UTF-8 bytes of the text); larger: DOCUMENT_TOO_LARGE."""
    gateway_graphql_cache_bytes: Annotated[int, msgspec.Meta(ge=0, le=1024 * 1024 * 1024)] = 16 * 1024 * 1024
    """What the gateway's cache of parsed GraphQL documents may hold, per process (ADR 0019)."""
    gateway_response_cache: bool = True
    """Keep whole GraphQL query answers, dropped by the events that change them (ADR 0048)."""
    gateway_response_cache_entries: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)] = 10_000
    """Answers the response cache holds per process; the least recently used go first."""
    gateway_response_cache_bytes: Annotated[int, msgspec.Meta(ge=1024, le=16 * 1024**3)] = 64 * 1024 * 1024
    """What the response cache's answers may weigh per process (their JSON, plus 512 bytes each)."""
    gateway_response_cache_ttl_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=86_400.0)] = 30.0
    """The longest an answer is kept: the bound for what changes without an event (ADR 0048)."""
    gateway_response_cache_settle_seconds: Annotated[float, msgspec.Meta(ge=0.0, le=600.0)] = 5.0
    """After an event or a write, how long answers in its scope are served but not kept (read models catching up)."""
    gateway_persisted_queries_per_partner: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 200
    """Persisted queries each partner may store (admins: no limit); only authenticated callers store."""
    gateway_introspection: bool = True
    """Answer GraphQL introspection; production turns it off (INTROSPECTION_DISABLED)."""
    gateway_graphiql: bool = True
    """Serve GraphiQL at GET /graphql to a browser; production turns it off."""
    gateway_max_concurrent_per_partner: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 8
    """GraphQL operations one partner runs at once in a gateway process; more wait their turn."""
    gateway_max_concurrent_anonymous: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 8
    """GraphQL operations all anonymous callers together run at once in a gateway process."""
    gateway_body_timeout_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=3600.0)] = 30.0
    """How long a request body may take to arrive in full; slower: 408."""
    gateway_max_websockets_per_partner: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 50
    """Open WebSockets per partner (anonymous: per client host) in a gateway process."""
    gateway_max_subscriptions_per_partner: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 1000
    """Live subscriptions per partner (anonymous: per client host) in a gateway process."""
    gateway_live_replay_hours: Annotated[float, msgspec.Meta(gt=0.0, le=24.0 * 90)] = 24.0
    """How far back ``after`` resumes the live feed; older: REPLAY_UNAVAILABLE. Keep the topics' retention longer."""
    gateway_live_replay_readers: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 8
    """Resumes reading from the broker at once per gateway process (each holds a consumer); more wait."""
    gateway_live_queue_size: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 1000
    """Events a live subscriber may fall behind by before it is dropped (closed 4008) to resume with `after`."""
    gateway_graphql_max_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=256 * 1024 * 1024)] = 320 * 1024
    """The largest request body /graphql reads: the document limit and room for variables; larger: 413."""
    gateway_read_back_seconds: Annotated[float, msgspec.Meta(gt=0.0, le=60.0)] = 5.0
    """How long a mutation that returns its write waits for its read model; then it answers with a warning."""
    gateway_workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    """Gateway processes serving one port (uvicorn workers); each keeps its own caches and live feed (ADR 0057)."""
    gateway_max_pending_websockets_per_host: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 50
    """WebSockets one client host holds open before connection_init, per gateway process; more: closed 4429."""
    trusted_proxies: str = ""
    """IPs and CIDRs of the proxies whose X-Forwarded-For is believed; empty: the socket peer is the client."""
    gateway_metrics_networks: str = "127.0.0.0/8,::1"
    """IPs and CIDRs the gateway answers ``/metrics`` to (direct callers only, never through a proxy)."""
    jwt_issuer: str = ""
    """The identity provider whose JWTs the gateway accepts (``iss``); empty: API keys only."""
    jwt_audience: str = ""
    jwt_jwks_file: str = ""
    jwt_public_key_file: str = ""
    jwt_algorithms: str = "RS256,ES256,EdDSA"
    jwt_scopes_claim: str = "scope"
    jwt_organisation_claim: str = "organisation"
    jwt_unit_code_claim: str = "unit_code"
    jwt_partner_claim: str = "partner"
    jwt_jwks_url: str = ""
    """The identity provider's JWKS endpoint (https); keys fetched, cached and refetched on rotation."""
    jwt_jwks_cache_seconds: Annotated[float, msgspec.Meta(ge=1.0, le=86_400.0)] = 300.0
    """How long a fetched key set is used before it is fetched again: the bound on a withdrawn key's life."""
    jwt_jwks_min_refetch_seconds: Annotated[float, msgspec.Meta(ge=0.0, le=3600.0)] = 30.0
    """The least time between two fetches: a token naming an unknown key refetches at most this often."""
    gateway_cors_origins: str = ""
    """Comma-separated origins (``https://app.example.vn``) whose browser pages may call the gateway; empty: no CORS."""

    @property
    def embedded_database(self) -> bool:
        return not self.database_url

    @property
    def embedded_broker(self) -> bool:
        return not self.kafka_bootstrap

    @property
    def state_path(self) -> Path:
        return Path(self.state_dir).expanduser().resolve()

    @property
    def idempotent_producer(self) -> bool:
        if self.kafka_enable_idempotence is Idempotence.AUTO:
            return not self.embedded_broker
        return self.kafka_enable_idempotence is Idempotence.ON

    @property
    def projection_groups(self) -> bool:
        if self.projection_assignment is Assignment.AUTO:
            return not self.embedded_broker
        return self.projection_assignment is Assignment.GROUP

    def port_of(self, service: str) -> int:
        port: int = getattr(self, catalogued(service).port_setting)
        return port

    def backbone_port_of(self, service: str) -> int:
        """Where a service's ``backbone`` process serves its health and ``/admin`` routes."""
        return self.port_of(service) + self.backbone_port_offset

    def listen_port(self, service: str) -> int:
        """This process's port: the service's, or its backbone's for a ``backbone`` process."""
        if self.service_role is ServiceRole.BACKBONE:
            return self.backbone_port_of(service)
        return self.port_of(service)

    @property
    def runs_api_only(self) -> bool:
        return self.service_role is ServiceRole.API

    def service_url(self, service: str) -> str:
        """Where the gateway reaches a service: ``TINHSO_<SERVICE>_URL``, else this host's port."""
        url_setting = catalogued(service).url_setting
        configured: str = getattr(self, url_setting) if url_setting else ""
        if configured:
            return configured.rstrip("/")
        return f"http://{self._reachable_host}:{self.port_of(service)}"

    def backbone_url(self, service: str) -> str:
        """Where this host's backbone process of a service answers (health, ``/admin``)."""
        return f"http://{self._reachable_host}:{self.backbone_port_of(service)}"

    @property
    def _reachable_host(self) -> str:
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104 - comparing, not binding

    def topic(self, service: str) -> str:
        return f"{self.topic_prefix}.{service}.events"

    def to_env(self) -> dict[str, str]:
        """The variables that reproduce these settings in a child process."""
        env: dict[str, str] = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            env[env_name(name)] = str(value.value if isinstance(value, StrEnum) else value)
        return env


class SettingsError(ValueError):
    """A configuration value is wrong; the message names the variable."""


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment; ``overrides`` win (used by tests and the CLI)."""
    environ = os.environ if environ is None else environ
    known = {env_name(f): f for f in Settings.__struct_fields__}
    raw: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        if key not in known:
            hint = ", ".join(sorted(known))
            raise SettingsError(f"{key} is not a tinhso setting (known: {hint})")
        raw[known[key]] = value
    raw.update(overrides)
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_explain(exc, raw)) from None
    _check_kafka_security(settings)
    _check_source_webhook(settings)
    return settings


def _check_source_webhook(settings: Settings) -> None:
    if settings.source_webhook_url and not settings.source_webhook_url.startswith(("https://", "http://")):
        raise SettingsError(f"{env_name('source_webhook_url')} must be an http(s) URL")
    if settings.source_webhook_url and not settings.source_webhook_secret:
        raise SettingsError(
            f"{env_name('source_webhook_url')} needs {env_name('source_webhook_secret')}: posts are signed"
        )


def _check_kafka_security(settings: Settings) -> None:
    """The combinations msgspec cannot see: found here, at start, not in a client's handshake."""
    protocol = settings.kafka_security_protocol
    name = f"{env_name('kafka_security_protocol')}={protocol.value}"
    if protocol is not KafkaSecurityProtocol.PLAINTEXT and settings.embedded_broker:
        raise SettingsError(f"{name} needs {env_name('kafka_bootstrap')}: the embedded broker is plaintext on loopback")
    if protocol is KafkaSecurityProtocol.SASL_PLAINTEXT and settings.kafka_sasl_mechanism is SaslMechanism.PLAIN:
        raise SettingsError(
            f"{env_name('kafka_sasl_mechanism')}=PLAIN sends the password itself: use it with SASL_SSL, not {name}"
        )
    if protocol.uses_tls:
        _check_tls_files(settings)
    if protocol.uses_sasl:
        if not settings.kafka_sasl_username:
            raise SettingsError(f"{name} needs {env_name('kafka_sasl_username')}")
        if not settings.kafka_sasl_password and not settings.kafka_sasl_password_file:
            raise SettingsError(
                f"{name} needs {env_name('kafka_sasl_password')} or {env_name('kafka_sasl_password_file')}"
            )
        if settings.kafka_sasl_password_file and not Path(settings.kafka_sasl_password_file).is_file():
            raise SettingsError(f"{env_name('kafka_sasl_password_file')}: no such file")
        if settings.kafka_sasl_password and settings.kafka_sasl_password_file:
            raise SettingsError(
                f"set {env_name('kafka_sasl_password')} or {env_name('kafka_sasl_password_file')}, not both"
            )
    if not protocol.uses_tls:
        for field in ("kafka_ssl_cafile", "kafka_ssl_certfile", "kafka_ssl_keyfile"):
            if getattr(settings, field):
                raise SettingsError(f"{env_name(field)} is set but {name} does not use TLS (SSL or SASL_SSL)")


def _check_tls_files(settings: Settings) -> None:
    """Loads the CA and the client certificate once, so a missing file or a key that does not
    match its certificate stops the start instead of every client's connect."""
    try:
        client_context(cafile=settings.kafka_ssl_cafile, certfile="", keyfile="")
    except OSError as exc:
        raise SettingsError(f"{env_name('kafka_ssl_cafile')}: cannot load the CA bundle ({exc})") from None
    if settings.kafka_ssl_certfile:
        try:
            client_context(cafile="", certfile=settings.kafka_ssl_certfile, keyfile=settings.kafka_ssl_keyfile)
        except OSError as exc:
            names = f"{env_name('kafka_ssl_certfile')} and {env_name('kafka_ssl_keyfile')}"
            raise SettingsError(f"{names}: cannot load the client certificate and key ({exc})") from None


def _explain(exc: msgspec.ValidationError, raw: Mapping[str, Any]) -> str:
    message = str(exc)
    # msgspec reports the failing path as "- at `$.field`"; turn it into the variable name.
    field = message.rsplit("`$.", 1)[-1].rstrip("`") if "`$." in message else ""
    reason = message.split(" - at ", 1)[0]
    if field in Settings.__struct_fields__:
        value = raw.get(field, "")
        if field == "log_level":
            reason = "expected one of " + ", ".join(level.value for level in LogLevel)
        elif field == "log_format":
            reason = "expected one of " + ", ".join(f.value for f in LogFormat)
        elif field == "kafka_enable_idempotence":
            reason = "expected one of " + ", ".join(i.value for i in Idempotence)
        elif field == "projection_assignment":
            reason = "expected one of " + ", ".join(a.value for a in Assignment)
        elif field == "kafka_security_protocol":
            reason = "expected one of " + ", ".join(p.value for p in KafkaSecurityProtocol)
        elif field == "kafka_sasl_mechanism":
            reason = "expected one of " + ", ".join(m.value for m in SaslMechanism)
        elif field == "service_role":
            reason = "expected one of " + ", ".join(r.value for r in ServiceRole)
        return f"{env_name(field)}={value!r} is invalid: {reason}"
    return f"invalid configuration: {message}"
