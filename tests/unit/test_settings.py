import pytest

from libs.common.settings import Idempotence, LogLevel, ServiceRole, SettingsError, load_settings


def test_defaults_describe_the_embedded_platform_on_loopback() -> None:
    settings = load_settings({})
    assert settings.embedded_database
    assert settings.embedded_broker
    assert (settings.host, settings.gateway_port, settings.registry_port) == ("127.0.0.1", 8000, 8001)
    assert (settings.broadcast_port, settings.metrics_port) == (8002, 8003)
    assert settings.log_level is LogLevel.INFO


def test_values_are_read_from_prefixed_variables_and_converted() -> None:
    settings = load_settings(
        {
            "TINHSO_GATEWAY_PORT": "9000",
            "TINHSO_LOG_LEVEL": "debug",
            "PATH": "/bin",
            "TINHSO_DATABASE_URL": "postgresql://x/y",
        }
    )
    assert settings.gateway_port == 9000
    assert settings.log_level is LogLevel.DEBUG
    assert not settings.embedded_database


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TINHSO_LOG_LEVEL": "loud"}, ["TINHSO_LOG_LEVEL", "'loud'", "debug, info, warning, error"]),
        ({"TINHSO_GATEWAY_PORT": "eighty"}, ["TINHSO_GATEWAY_PORT", "'eighty'"]),
        ({"TINHSO_REGISTRY_PORT": "70000"}, ["TINHSO_REGISTRY_PORT", "65535"]),
        ({"TINHSO_KAFKA_ENABLE_IDEMPOTENCE": "maybe"}, ["TINHSO_KAFKA_ENABLE_IDEMPOTENCE", "auto, on, off"]),
        ({"TINHSO_GATEWAY_PROT": "1"}, ["TINHSO_GATEWAY_PROT is not a tinhso setting"]),
        ({"TINHSO_SERVICE_ROLE": "relay"}, ["TINHSO_SERVICE_ROLE", "'relay'", "all, api, backbone"]),
    ],
)
def test_a_wrong_value_is_reported_in_one_line_naming_the_variable(env: dict[str, str], names: list[str]) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert "\n" not in message
    for name in names:
        assert name in message


def test_idempotence_auto_is_on_for_a_configured_cluster_and_off_for_the_embedded_broker() -> None:
    assert not load_settings({}).idempotent_producer
    assert load_settings({"TINHSO_KAFKA_BOOTSTRAP": "kafka:9092"}).idempotent_producer
    assert not load_settings(
        {"TINHSO_KAFKA_BOOTSTRAP": "k:9092", "TINHSO_KAFKA_ENABLE_IDEMPOTENCE": "off"}
    ).idempotent_producer
    assert load_settings({}, kafka_enable_idempotence=Idempotence.ON.value).idempotent_producer


def test_settings_survive_the_round_trip_through_a_child_environment() -> None:
    settings = load_settings({"TINHSO_METRICS_PORT": "9103", "TINHSO_LOG_LEVEL": "warning"})
    assert load_settings(settings.to_env()) == settings


def test_a_backbone_process_listens_on_its_services_port_plus_the_offset() -> None:
    settings = load_settings({"TINHSO_SERVICE_ROLE": "backbone", "TINHSO_BACKBONE_PORT_OFFSET": "50"})
    assert settings.service_role is ServiceRole.BACKBONE
    assert settings.listen_port("registry") == 8051
    assert settings.backbone_url("metrics") == "http://127.0.0.1:8053"
    assert load_settings({}).listen_port("registry") == 8001
    assert load_settings({"TINHSO_SERVICE_ROLE": "api"}).runs_api_only
