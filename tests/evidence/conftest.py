import pytest
from filer import settings as filer_settings


@pytest.fixture(autouse=True)
def evidence_storage(tmp_path, monkeypatch):
    """Point django-filer's private storage at a fresh directory, so a test can list what was stored."""
    storage = filer_settings.FILER_PRIVATEMEDIA_STORAGE
    root = tmp_path / "filer_private"
    root.mkdir()
    monkeypatch.setattr(storage, "base_location", str(root))
    monkeypatch.setattr(storage, "location", str(root))
    return root


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())
