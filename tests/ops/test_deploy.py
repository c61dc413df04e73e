"""deploy/: the systemd units pass `systemd-analyze verify` and say what production
needs (restart on failure, sandboxing, private files, secrets from a file); the nginx
site passes `nginx -t` and proxies as the portal expects (TLS, forwarded headers, no
media served as files, the upload limit, no compression of pages). A missing
systemd-analyze or nginx skips on a laptop and fails in CI (.ci/run installs both)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.services import require_command

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY = BASE_DIR / "deploy"
SERVICES = ["malardal-web.service", "malardal-worker.service", "malardal-beat.service"]


def unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text()


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = require_command("systemd-analyze")
    # The units name the production paths; here the checkout and its virtualenv stand in.
    venv_bin = str(Path(sys.executable).parent)
    for name in [*SERVICES, "malardal.target"]:
        text = unit(name).replace("/srv/malardal/.venv/bin", venv_bin)
        (tmp_path / name).write_text(text.replace("/srv/malardal", str(BASE_DIR)))
    result = subprocess.run(
        [
            analyze,
            "verify",
            "--man=no",
            *(str(tmp_path / n) for n in [*SERVICES, "malardal.target"]),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    complaints = [line for line in result.stderr.splitlines() if "malardal" in line]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_restarts_on_failure_in_a_sandbox(name):
    text = unit(name)
    settings_ = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#")
    )
    assert settings_["Restart"] == "on-failure"
    assert settings_["User"] == "malardal"
    assert settings_["EnvironmentFile"] == "/etc/malardal/env"
    assert settings_["UMask"] == "0077"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
    }.items():
        assert settings_[key] == value, key
    # The only place it may write: uploaded and generated files, backups, beat's state.
    assert settings_["ReadWritePaths"] == "/var/lib/malardal"
    assert "SECRET_KEY" not in text  # secrets come from the EnvironmentFile only


def test_the_example_environment_file_puts_files_where_the_units_may_write():
    example = (DEPLOY / "env.example").read_text()
    assert "MEDIA_ROOT=/var/lib/malardal/media" in example
    assert "BACKUP_DIR=/var/lib/malardal/backups" in example
    assert "NUM_PROXIES=1" in example


def _size(value: str) -> int:
    number, unit_ = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit_.lower()]


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = require_command("nginx")
    openssl = require_command("openssl")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=portal.example.org",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (DEPLOY / "nginx" / "malardal.conf").read_text()
    site = (
        site.replace(
            "/etc/letsencrypt/live/portal.example.org/fullchain.pem", f"{tmp_path}/cert.pem"
        )
        .replace("/etc/letsencrypt/live/portal.example.org/privkey.pem", f"{tmp_path}/key.pem")
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("/srv/malardal", str(BASE_DIR))
    )
    (tmp_path / "site.conf").write_text(site)
    mime_types = Path("/etc/nginx/mime.types")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        + (f"  include {mime_types};\n" if mime_types.exists() else "")
        + f"  access_log {tmp_path}/access.log;\n"
        f"  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n"
        "}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def test_the_nginx_site_proxies_as_the_portal_expects():
    site = (DEPLOY / "nginx" / "malardal.conf").read_text()
    assert "listen 443 ssl" in site and "return 301 https://" in site
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert re.search(r"location /media/ \{\s*return 404;", site)  # only through the views
    assert re.search(r"^\s*gzip off;", site, re.M)  # BREACH
    body_limit = _size(re.search(r"client_max_body_size (\w+);", site).group(1))
    # Room for a file of IMPORT_MAX_FILE_SIZE and its form, not much more.
    assert settings.IMPORT_MAX_FILE_SIZE < body_limit <= settings.IMPORT_MAX_FILE_SIZE + 2**21
    # Feed and password-reset tokens never reach the access log.
    assert "access_log /var/log/nginx/malardal.access.log malardal;" in site
    assert "/events/my/" in site and "/accounts/reset/" in site
