"""Rows made once for several tests of one module, as Django's ``setUpTestData`` does.

In a fixture of module scope that asks for ``django_db_setup`` (the test database must
exist first) and ``django_db_blocker``::

    @pytest.fixture(scope="module")
    def seeded(django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            yield seed_demo(matters=24)

the rows are written once, inside a transaction opened for the module; each test then
runs inside its own savepoint (pytest-django's usual ``django_db`` transaction nests in
it), so what a test changes is undone after it, and the module's rows are rolled back
after its last test. Hand out copies (``copy.deepcopy``) of model instances a test might
change in memory.

``tests/conftest.py`` finds such fixtures (module, package or session scope, asking for
``django_db_blocker``), runs the tests that use them after the other tests of their
module and on one xdist worker, and fails a test that would run while another test's
shared rows are in the database. A transactional test (``django_db(transaction=True)``)
cannot use them: it would commit into, and flush, the open transaction.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction

# The fixtures whose rows are in the open transaction now (tests/conftest.py checks it).
OPEN: list[str] = []


@contextmanager
def shared_rows(django_db_blocker, name: str = "shared rows"):
    """Open a transaction on every database for rows shared by a module's tests; roll it back after."""
    with django_db_blocker.unblock():
        aliases = list(connections)
        atomics = [transaction.atomic(using=alias) for alias in aliases]
        for atomic in atomics:
            atomic.__enter__()
        OPEN.append(name)
        try:
            yield
        finally:
            OPEN.remove(name)
            for alias, atomic in zip(reversed(aliases), reversed(atomics)):
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)
