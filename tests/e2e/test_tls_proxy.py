"""``deploy/nginx/terang-tls.conf`` in front of a real ``terang serve`` (issue 17, item 9).

The shipped file runs with only its ports, certificate paths and upstream filled in:
HTTP is redirected, HTTPS reaches Terang with HSTS, ``/metrics`` is refused outside the
monitoring network, and a body larger than nginx's own 1 MB default still reaches
Terang, whose problem+json answer the client gets.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
import os
import shutil
import ssl
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from conftest import run, serving
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REPO = Path(__file__).resolve().parents[2]
TLS_CONF = REPO / "deploy" / "nginx" / "terang-tls.conf"


def _throwaway() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "terang_nginx_throwaway_tls", REPO / "scripts" / "nginx_throwaway.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nginx() -> str:
    binary = os.environ.get("TERANG_NGINX", "/usr/sbin/nginx")
    if shutil.which(binary) is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"nginx ({binary}) is required in CI: scripts/test.sh installs it")
        pytest.skip(f"nginx ({binary}) is not installed")
    return binary


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "terang.example.go.id")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("terang.example.go.id"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def filled_in(text: str, *, http: int, https: int, upstream: int, cert: Path, key: Path) -> str:
    """The shipped file with this test's ports and certificate; nothing else changes."""
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
        "/etc/ssl/terang/fullchain.pem": str(cert),
        "/etc/ssl/terang/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in text, f"{TLS_CONF.name} no longer has {old!r}"
        text = text.replace(old, new)
    # No IPv6 loopback is promised on the test machine.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def test_tls_proxy_in_front_of_terang(tmp_path: Path) -> None:
    binary = _nginx()
    nginx = _throwaway()
    env = {
        **os.environ,
        "TERANG_DATABASE_URL": f"sqlite:///{tmp_path / 'terang.db'}",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    run(tmp_path, env, "init", "--origin", "kab-contoh.example/terang")
    cert, key = self_signed(tmp_path)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    http, https = nginx.free_port(), nginx.free_port()
    with serving(tmp_path, env) as upstream_url:
        upstream = int(upstream_url.rsplit(":", 1)[1])
        body = filled_in(
            TLS_CONF.read_text(), http=http, https=https, upstream=upstream, cert=cert, key=key
        )
        conf = nginx.write_main_config(prefix, body)
        with nginx.running(conf, prefix, https, binary=binary):
            plain = httpx.get(f"http://127.0.0.1:{http}/log/checkpoint")
            assert plain.status_code == 301
            assert plain.headers["location"].startswith("https://")

            trust = ssl.create_default_context(cafile=str(cert))
            with httpx.Client(base_url=f"https://127.0.0.1:{https}", verify=trust) as client:
                checkpoint = client.get("/log/checkpoint")
                assert checkpoint.status_code == 200
                assert checkpoint.text.startswith("kab-contoh.example/terang\n")
                assert checkpoint.headers["strict-transport-security"] == "max-age=63072000"
                assert client.get("/metrics").status_code == 403  # not the monitoring network

                # 2 MB: past nginx's 1 MB default, within Terang's own body limit.
                big = client.post(
                    "/api/v1/statements",
                    content=b"{" + b" " * 2_000_000 + b"}",
                    headers={"content-type": "application/json"},
                )
                assert 400 <= big.status_code < 500
                assert big.headers["content-type"].startswith("application/problem+json")
