"""The configuration model: read once from the environment, a missing or malformed variable named in the error."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from invoicing import config

ROOT = Path(__file__).resolve().parents[2]
CODE = [*ROOT.joinpath("layers", "shared", "python").rglob("*.py"), *ROOT.joinpath("functions").rglob("*.py")]
CONFIG = ROOT.joinpath("layers", "shared", "python", "invoicing", "config.py")


def reads_environment(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "os" and {a.name for a in node.names} & {"environ", "getenv"}:
            return True
    return False


def test_only_the_configuration_model_reads_the_environment():
    assert CONFIG in CODE
    assert [str(path.relative_to(ROOT)) for path in CODE if reads_environment(path)] == [str(CONFIG.relative_to(ROOT))]


def test_a_resource_a_function_was_not_given_is_named_in_the_error(monkeypatch):
    monkeypatch.delenv("FILES_BUCKET", raising=False)
    monkeypatch.setenv("RENDER_QUEUE_URL", "  ")  # blank is unset, not a queue named " "
    config.reset()

    with pytest.raises(config.ConfigurationError, match=r"^invalid environment: FILES_BUCKET is not set"):
        config.files_bucket()
    with pytest.raises(config.ConfigurationError, match=r"FILES_BUCKET, RENDER_QUEUE_URL not set"):
        config.require("TABLE_NAME", "FILES_BUCKET", "RENDER_QUEUE_URL")


def test_a_malformed_setting_is_named_in_the_error(monkeypatch):
    monkeypatch.setenv("TRANSMISSION_STUCK_MINUTES", "an hour")
    config.reset()

    with pytest.raises(config.ConfigurationError, match=r"invalid environment: TRANSMISSION_STUCK_MINUTES: .*integer"):
        config.settings()


def test_settings_are_read_once_until_a_new_cold_start(monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://a.example, https://b.example,")
    monkeypatch.setenv("WEBHOOK_LOCAL_TARGETS", "true")
    config.reset()
    first = config.settings()
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://c.example")

    assert config.settings() is first
    assert first.allowed_origins == ("https://a.example", "https://b.example")
    assert first.webhook_local_targets is True
    config.reset()
    assert config.settings().allowed_origins == ("https://c.example",)


def test_an_unknown_variable_name_is_a_programming_error():
    with pytest.raises(config.ConfigurationError, match="XRECHNUNG_QUEUE_URL is not a variable of the configuration model"):
        config.variable("XRECHNUNG_QUEUE_URL")


def test_a_blank_number_is_malformed_and_a_blank_flag_is_not_false(monkeypatch):
    # Blank means unset for names only: a blank number or flag is named in the error, not read as its default.
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "")
    config.reset()
    with pytest.raises(config.ConfigurationError, match=r"WEBHOOK_RETRY_BASE_SECONDS: .*integer"):
        config.settings()
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "7")
    monkeypatch.setenv("WEBHOOK_LOCAL_TARGETS", " ")
    config.reset()
    with pytest.raises(config.ConfigurationError, match=r"WEBHOOK_LOCAL_TARGETS: .*boolean"):
        config.settings()
    monkeypatch.setenv("WEBHOOK_LOCAL_TARGETS", "false")
    monkeypatch.setenv("MAIL_FROM", " ")
    config.reset()
    assert config.settings().webhook_retry_base_seconds == 7
    assert config.settings().mail_from is None
