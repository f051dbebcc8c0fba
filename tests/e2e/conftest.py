"""The running-service fixture is shared by the end-to-end tests."""

from test_cli_service import service

__all__ = ["service"]
