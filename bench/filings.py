#!/usr/bin/env python
"""1,000 ``complaint_credit_card`` filings: Fasu's renderer beside plain docxtpl, same run.

DESIGN.md, Budgets: "DOCX filing render: docxtpl as shipped about 33/s per core;
compiled template + direct zip write 140-230/s per core; Fasu at least 100/s per core".

The contexts are built by ``templates_docx.context.matter_context`` from real matters
(``seed_demo`` in a scratch SQLite database, or ``DATABASE_URL`` if set), cycled to
``--documents``. Printed, each in documents per second:

- plain docxtpl: ``DocxTemplate(file).render(context, jinja_env=<the same sandbox>)``
  and ``save`` to memory, per document, as docxtpl is used out of the box;
- Fasu in-process: ``rendering.render_docx`` (compiled once, direct ZIP write);
- Fasu through the render pool: one child process (memory and time limits, the
  production path), documents sent one after another, so one core renders;
- context building: ``matter_context`` per matter (database reads and calculators).

Run on demand; not part of the test suite:

    .venv/bin/python bench/filings.py
    .venv/bin/python bench/filings.py --documents 300
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DEBUG", "1")
    if "DATABASE_URL" not in os.environ:
        scratch = Path(tempfile.mkdtemp(prefix="fasu-bench-filings-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
        os.environ["STORAGE_ROOT"] = str(scratch / "storage")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f}/s  ({seconds * 1000 / count:6.2f} ms each)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--template", default="complaint_credit_card")
    args = parser.parse_args()
    setup_django()

    from django.utils import timezone
    from docxtpl import DocxTemplate

    from legalcase.models import Matter
    from templates_docx import rendering
    from templates_docx.context import matter_context
    from templates_docx.pool import RenderPool
    from templates_docx.services import template_current

    template = template_current(args.template)
    content = bytes(template.content)
    today = timezone.localdate()
    matters = list(
        Matter.objects.filter(debt__product="credit_card" if "credit_card" in args.template else "loan")
        .select_related("debt__creditor", "debt__debtor", "forum", "assigned_firm")
        .order_by("pk")[:200]
    )
    started = time.perf_counter()
    contexts = [matter_context(matter, today=today) for matter in matters]
    context_seconds = time.perf_counter() - started
    documents = [contexts[index % len(contexts)] for index in range(args.documents)]
    print(f"{args.template} v{template.version}, {len(content):,} bytes; {len(contexts)} matters cycled to {args.documents}")

    started = time.perf_counter()
    for context in documents:
        docx = DocxTemplate(io.BytesIO(content))
        docx.render(context, jinja_env=rendering.filing_environment())
        docx.save(io.BytesIO())
    plain = time.perf_counter() - started

    rendering.compiled_for(content)
    started = time.perf_counter()
    for context in documents:
        rendering.render_docx(content, context)
    in_process = time.perf_counter() - started

    pool = RenderPool(size=1, memory_mb=512, seconds=20)
    pool.render(template=content, digest=template.sha256, context=documents[0])  # start the child
    started = time.perf_counter()
    for context in documents:
        pool.render(template=content, digest=template.sha256, context=context)
    pooled = time.perf_counter() - started
    pool.close()

    print(f"plain docxtpl (same template, context, sandbox): {rate(args.documents, plain)}")
    print(f"Fasu renderer, in-process:                       {rate(args.documents, in_process)}")
    print(f"Fasu render pool (1 child, limits on):           {rate(args.documents, pooled)}   target >= 100/s per core")
    print(f"context building from the database:              {rate(len(contexts), context_seconds)}")
    print(f"speed-up over plain docxtpl: {plain / pooled:.1f}x (pool), {plain / in_process:.1f}x (in-process)")


if __name__ == "__main__":
    main()
