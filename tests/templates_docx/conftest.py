import pytest

from templates_docx.pool import RenderPool
from tests.evidence.conftest import evidence_storage  # noqa: F401  (private storage in a temp dir)


@pytest.fixture(scope="session")
def strict_pool():
    """A pool of its own with tight limits, so runaway templates end quickly in tests."""
    pool = RenderPool(size=1, memory_mb=256, seconds=3)
    yield pool
    pool.close()
