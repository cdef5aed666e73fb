"""The standard OTEL_* variables decide the sampler and the resource; TINHSO_* are fallbacks."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from libs.common.tracing import NoRootDatabaseSpans, package_version, sampler_from, setup_tracing, tracing_resource


def test_without_otel_traces_sampler_the_tinhso_ratio_is_sampled_parent_based() -> None:
    sampler = sampler_from({}, 0.25)
    assert isinstance(sampler, ParentBased)
    assert "TraceIdRatioBased{0.25}" in sampler.get_description()  # type: ignore[no-untyped-call]


def test_otel_traces_sampler_and_its_argument_win_over_the_tinhso_ratio() -> None:
    sampler = sampler_from({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"}, 0.9)
    assert isinstance(sampler, NoRootDatabaseSpans)
    assert sampler.get_description() == f"NoRootDatabaseSpans{{{TraceIdRatioBased(0.1).get_description()}}}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("always_off", "NoRootDatabaseSpans{AlwaysOffSampler}"),
        ("parentbased_always_on", "NoRootDatabaseSpans{AlwaysOnSampler}"),
        ("no_such_sampler", "NoRootDatabaseSpans{AlwaysOnSampler}"),
    ],
)
def test_the_specifications_sampler_names_are_understood(name: str, expected: str) -> None:
    assert expected in sampler_from({"OTEL_TRACES_SAMPLER": name}, 0.5).get_description()


def test_the_resource_names_the_service_and_its_version_unless_otel_variables_say_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    default = tracing_resource("registry").attributes
    assert default["service.name"] == "tinhso-registry"
    assert default["service.version"] == package_version()

    monkeypatch.setenv("OTEL_SERVICE_NAME", "registry-blue")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging,service.namespace=bk")
    configured = tracing_resource("registry").attributes
    assert configured["service.name"] == "registry-blue"
    assert configured["deployment.environment.name"] == "staging"
    assert configured["service.namespace"] == "bk"
    assert configured["service.version"] == package_version()


def test_otel_sdk_disabled_installs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert setup_tracing("registry", otlp_endpoint="http://127.0.0.1:1") is None
