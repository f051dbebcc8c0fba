"""The service log's shape: a level and a format, text for people or JSON for machines.

``terang serve --log-format json`` (``TERANG_LOG_FORMAT``) writes one JSON object per
line on stderr, Terang's own records and uvicorn's alike, so a log shipper (journald,
Fluent Bit, Loki) indexes fields instead of parsing prose. Every object has ``time``
(UTC, ISO 8601), ``level``, ``logger`` and ``message``; uvicorn's access lines also have
``client``, ``method``, ``path`` and ``status``. The formatter is python-json-logger's.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from ledger.errors import BadSetting

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")


class ServiceJsonFormatter(JsonFormatter):
    """python-json-logger, plus uvicorn's access-line fields as their own keys."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.pop("color_message", None)  # uvicorn's copy of message with ANSI colours
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, path, _version, status = args
            log_data.update(client=client, method=method, path=path, status=status)


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for Terang and uvicorn (``uvicorn.run(log_config=)``)."""
    if log_format not in LOG_FORMATS:
        raise BadSetting(
            f"the log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}"
        )
    if level.lower() not in LOG_LEVELS:
        raise BadSetting(f"the log level must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    if log_format == "json":
        formatter: dict[str, Any] = {
            "()": ServiceJsonFormatter,
            "fmt": "{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "service",
        "stream": "ext://sys.stderr",
    }
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"service": formatter},
        "handlers": {"stderr": handler},
        "loggers": {
            name: {"handlers": ["stderr"], "level": upper, "propagate": False}
            for name in (
                "terang",
                "ledger",
                "audit",
                "budgeting",
                "procurement",
                "portal",
                "uvicorn",
            )
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
