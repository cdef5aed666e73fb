"""Logging for every process: JSON lines for collectors, readable lines for a person.

``TINHSO_LOG_FORMAT=auto`` (the default) writes JSON lines unless stderr is a terminal; ``json``
or ``text`` forces one. A JSON line has ``timestamp`` (ISO 8601, UTC), ``level``, ``logger``,
``service``, ``message``, ``trace_id`` and ``span_id`` when a span is current (the request's,
so a line can be found from a trace and the reverse), and whatever the call passed as
``extra`` (the access log's ``method``, ``route``, ``status``…). The JSON is written by
python-json-logger with msgspec, not by hand.

``tinhso up`` runs the services with their output piped through its supervisor, which
prefixes each line with the service's name; when ``up`` itself writes to a terminal it asks
them for text (``child_log_format``), so the console stays readable.
"""

from __future__ import annotations

import logging
import sys
from typing import IO

from opentelemetry import trace
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.msgspec import MsgspecFormatter

from libs.common.settings import LogFormat

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s%(trace_suffix)s"


class TraceIds(logging.Filter):
    """Puts the current span's ids on every record (empty strings when there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        trace_id = format(context.trace_id, "032x") if context.is_valid else ""
        record.trace_id = trace_id
        record.span_id = format(context.span_id, "016x") if context.is_valid else ""
        record.trace_suffix = f" trace_id={trace_id}" if trace_id else ""
        return True


class JsonLines(MsgspecFormatter):
    """One JSON object per record; empty trace ids are left out rather than written empty."""

    def __init__(self, service: str) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            static_fields={"service": service},
            timestamp=True,
            reserved_attrs=[*RESERVED_ATTRS, "trace_suffix"],
        )

    def process_log_record(self, log_data: dict[str, object]) -> dict[str, object]:
        for key in ("trace_id", "span_id"):
            if not log_data.get(key):
                log_data.pop(key, None)
        return log_data


def json_wanted(log_format: LogFormat, stream: IO[str]) -> bool:
    if log_format is LogFormat.AUTO:
        return not stream.isatty()
    return log_format is LogFormat.JSON


def child_log_format(log_format: LogFormat, stream: IO[str]) -> LogFormat:
    """What ``tinhso up``'s services should write: their output reaches ``stream`` through the
    supervisor's pipe, so ``auto`` is decided by that stream, not by the pipe."""
    if log_format is not LogFormat.AUTO:
        return log_format
    return LogFormat.JSON if json_wanted(log_format, stream) else LogFormat.TEXT


def configure_logging(level: str, *, service: str = "tinhso", log_format: LogFormat = LogFormat.AUTO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(TraceIds())
    if json_wanted(log_format, sys.stderr):
        handler.setFormatter(JsonLines(service))
    else:
        text = logging.Formatter(TEXT_FORMAT, "%Y-%m-%dT%H:%M:%S%z")
        handler.setFormatter(text)
    # No format here writes the thread or the process; collecting them for each record is a
    # third of what an access line costs (the logging HOWTO's "Optimization" switches).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiokafka logs every failed connection attempt at ERROR; our own retry loop reports it once.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
