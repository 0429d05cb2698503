"""/api/schema/ documents the API; /api/docs/ works on a closed network (local assets only)."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/matters/",
    "/api/v1/matters/{matter_id}/",
    "/api/v1/matters/{matter_id}/transition/",
    "/api/v1/matters/{matter_id}/assignment/",
    "/api/v1/matters/{matter_id}/owner/",
    "/api/v1/matters/{matter_id}/debtor/",
    "/api/v1/firms/",
    "/api/v1/jobs/{job_id}/",
]


def test_the_schema_lists_every_endpoint(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert set(PATHS) <= set(schema["paths"])
    matter = schema["components"]["schemas"]["Matter"]["properties"]
    assert {"debtor", "amounts", "outstanding", "assigned_firm", "deadlines", "recovered_total"} <= set(matter)
    transition = schema["paths"]["/api/v1/matters/{matter_id}/transition/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(transition["responses"])


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))


def test_the_docs_page_loads_only_local_assets(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the docs page names no assets"
    for asset in assets:
        if asset == "/api/docs/?script=":  # the page's own initialiser (a script file, not inline: CSP)
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file"
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), "an external host"
