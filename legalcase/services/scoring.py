"""The recovery likelihood score (issue 19, item 2): facts at a date, training, scoring all matters.

- ``features_as_of(matter_ids, as_of)``: the facts of ``legalcase.scoring.RAW`` for many
  matters at once, a few aggregate queries per chunk of matter ids (never one per
  matter), counting only rows dated on or before ``as_of``: contacts by ``occurred_on``,
  promises by when they became kept or broken, demands by their date, recoveries by
  ``received_on``, assets by ``found_on``, enforcement actions by ``started_on``, the
  stage by the matter's ``stage_changed`` events. A fact recorded later, dated later,
  changes nothing of a snapshot before it.
- ``train_recovery_model(today)``: snapshots at ``today - horizon - k × 30 days``; the
  matters open then; label: net recoveries received within the horizon after the
  snapshot above zero. With fewer than ``SCORE_MIN_SAMPLES`` snapshots or fewer than 50
  of either outcome, no model is fitted: a rule-based model row says so, and the
  documented points of ``legalcase.scoring.RULES`` score the matters.
- ``score_all(today)``: every matter not closed, in chunks: its facts today, the active
  model's probability (numpy; the model is numbers in JSON, never a pickle), its three
  main reasons in words; written in bulk (PostgreSQL: COPY into a temporary table, then
  one ``INSERT … ON CONFLICT DO UPDATE`` per chunk; elsewhere the ORM's upsert).

Never a hidden input to anything automatic: nothing in Fasu reads ``MatterScore`` to
decide anything. Lists and worklists sort by it when a person asks for that order.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import time
from collections.abc import Callable
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone, translation

from legalcase import scoring
from legalcase.models import (
    Asset,
    ContactOutcome,
    DemandRecord,
    EnforcementAction,
    EventKind,
    Guarantee,
    Matter,
    MatterEvent,
    MatterScore,
    Product,
    Promise,
    PromiseStatus,
    RecoveryModel,
    Recovery,
    ScoreKind,
    Stage,
)
from legalcase.models.collection import FAILED_OUTCOMES, Contact

log = logging.getLogger(__name__)

CHUNK = 20_000
SNAPSHOTS = 4  # training snapshots, 30 days apart
SNAPSHOT_STEP_DAYS = 30
MIN_CLASS = 50  # fewer recovered (or unrecovered) snapshots than this: rules


def horizon_days() -> int:
    return int(getattr(settings, "RECOVERY_HORIZON_DAYS", 180))


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the project's time zone (``at < _end_of(day)``: on or before the day)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


# --- facts at a date ------------------------------------------------------------------------


def _rows(ids: np.ndarray, found_ids) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``ids`` of the matter ids ``found_ids``, and which of them are in ``ids``."""
    found = np.asarray(found_ids, dtype=np.int64)
    if not len(found):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    pos = np.minimum(np.searchsorted(ids, found), len(ids) - 1)
    return pos, ids[pos] == found


def _fill(raw: np.ndarray, ids: np.ndarray, values: list[tuple], columns: tuple[str, ...]) -> None:
    """Put ``(matter_id, value, value, ...)`` rows into ``raw``'s ``columns`` (None counts as 0)."""
    if not values:
        return
    pos, ok = _rows(ids, [row[0] for row in values])
    for j, name in enumerate(columns, start=1):
        column = np.array([float(row[j] or 0) for row in values])
        raw[pos[ok], scoring.COL[name]] = column[ok]


def _chunk_facts(ids: np.ndarray, as_of: dt.date, *, current: bool) -> np.ndarray:
    raw = np.zeros((len(ids), len(scoring.RAW)))
    lo, hi = int(ids[0]), int(ids[-1])
    in_range = {"matter_id__gte": lo, "matter_id__lte": hi}
    end = _end_of(as_of)

    matters = list(
        Matter.objects.filter(pk__gte=lo, pk__lte=hi).values_list(
            "pk", "debt__overdue_since", "claim_total", "debt__product", "debt__last_payment_date", "stage"
        )
    )
    pos, ok = _rows(ids, [row[0] for row in matters])
    last_paid = np.full(len(ids), np.nan)
    for p, good, (_pk, overdue_since, claim, product, last_payment, stage) in zip(pos, ok, matters):
        if not good:
            continue
        raw[p, scoring.COL["overdue_days"]] = max((as_of - overdue_since).days, 0)
        raw[p, scoring.COL["claim"]] = float(claim or 0)
        raw[p, scoring.COL["loan"]] = 1.0 if product == Product.LOAN else 0.0
        if last_payment and last_payment <= as_of:
            last_paid[p] = (as_of - last_payment).days
        if current:
            raw[p, scoring.COL["terminated"]] = 1.0 if stage == Stage.ENFORCEMENT_TERMINATED else 0.0

    _fill(raw, ids, list(
        Guarantee.objects.filter(debt__matter__id__gte=lo, debt__matter__id__lte=hi)
        .values("debt__matter__id").annotate(n=Count("id")).values_list("debt__matter__id", "n")
    ), ("guarantors",))
    reached = ~Q(outcome__in=FAILED_OUTCOMES)
    _fill(raw, ids, list(
        Contact.objects.filter(**in_range, occurred_on__lte=as_of).values("matter_id")
        .annotate(
            n=Count("id"),
            reached=Count("id", filter=reached),
            refused=Count("id", filter=Q(outcome=ContactOutcome.REFUSED)),
            disputes=Count("id", filter=Q(outcome=ContactOutcome.DISPUTE)),
        ).values_list("matter_id", "n", "reached", "refused", "disputes")
    ), ("contacts", "reached", "refused", "disputes"))
    # A promise counts as kept or broken from the moment it became so.
    _fill(raw, ids, list(
        Promise.objects.filter(**in_range, status_changed_at__lt=end, promised_on__lte=as_of).values("matter_id")
        .annotate(
            kept=Count("id", filter=Q(status=PromiseStatus.KEPT)),
            broken=Count("id", filter=Q(status=PromiseStatus.BROKEN)),
        ).values_list("matter_id", "kept", "broken")
    ), ("promises_kept", "promises_broken"))
    _fill(raw, ids, list(
        DemandRecord.objects.filter(debt__matter__id__gte=lo, debt__matter__id__lte=hi, date__lte=as_of)
        .values("debt__matter__id").annotate(n=Count("id")).values_list("debt__matter__id", "n")
    ), ("demands",))
    recent = as_of - dt.timedelta(days=90)
    recoveries = list(
        Recovery.objects.filter(**in_range, received_on__lte=as_of).values("matter_id")
        .annotate(
            total=Sum("amount"),
            recent=Sum("amount", filter=Q(received_on__gt=recent)),
            last=Max("received_on", filter=Q(amount__gt=0)),
        ).values_list("matter_id", "total", "recent", "last")
    )
    _fill(raw, ids, [row[:3] for row in recoveries], ("recovered", "recovered_90d"))
    if recoveries:
        pos, ok = _rows(ids, [row[0] for row in recoveries])
        for p, good, row in zip(pos, ok, recoveries):
            if good and row[3] is not None:
                days = (as_of - row[3]).days
                last_paid[p] = days if np.isnan(last_paid[p]) else min(last_paid[p], days)
    raw[:, scoring.COL["days_since_payment"]] = last_paid
    _fill(raw, ids, list(
        Asset.objects.filter(**in_range, found_on__lte=as_of).values("matter_id")
        .annotate(n=Count("id")).values_list("matter_id", "n")
    ), ("assets",))
    _fill(raw, ids, list(
        EnforcementAction.objects.filter(**in_range, started_on__lte=as_of).values("matter_id")
        .annotate(n=Count("id")).values_list("matter_id", "n")
    ), ("enforcement",))
    if not current:
        # The stage at as_of: the last stage move on or before it (none: still the first stage).
        moves = MatterEvent.objects.filter(**in_range, kind=EventKind.STAGE_CHANGED, at__lt=end)
        last = {}
        for matter_id, new in moves.order_by("at", "id").values_list("matter_id", "new").iterator(chunk_size=5000):
            last[matter_id] = (new or {}).get("stage")
        _fill(raw, ids, [(m, 1) for m, stage in last.items() if stage == Stage.ENFORCEMENT_TERMINATED], ("terminated",))
    return raw


def features_as_of(matter_ids, as_of: dt.date, *, chunk: int = CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, raw)``: the matters' ids in ascending order and their facts at ``as_of`` (``scoring.RAW`` columns).

    Only rows dated on or before ``as_of`` count. A snapshot of today or later reads
    the matter's current stage; an earlier one its stage moves up to that day.
    """
    ids = np.unique(np.asarray(list(matter_ids), dtype=np.int64))
    current = as_of >= timezone.localdate()
    parts = [_chunk_facts(ids[i:i + chunk], as_of, current=current) for i in range(0, len(ids), chunk)]
    return ids, (np.vstack(parts) if parts else np.zeros((0, len(scoring.RAW))))


def recovered_within(matter_ids: np.ndarray, as_of: dt.date, horizon: int) -> np.ndarray:
    """The label: 1 where the net recoveries received in ``(as_of, as_of + horizon]`` are above zero."""
    ids = np.asarray(matter_ids, dtype=np.int64)
    y = np.zeros(len(ids), dtype=int)
    if not len(ids):
        return y
    rows = list(
        Recovery.objects.filter(
            matter_id__gte=int(ids[0]), matter_id__lte=int(ids[-1]),
            received_on__gt=as_of, received_on__lte=as_of + dt.timedelta(days=horizon),
        ).values("matter_id").annotate(total=Sum("amount")).filter(total__gt=0).values_list("matter_id", flat=True)
    )
    pos, ok = _rows(ids, rows)
    y[pos[ok]] = 1
    return y


def open_matter_ids(as_of: dt.date) -> np.ndarray:
    """Matters opened on or before ``as_of`` and not closed by then."""
    end = _end_of(as_of)
    matters = Matter.objects.filter(created_at__lt=end).exclude(stage=Stage.CLOSED, stage_changed_at__lt=end)
    return np.fromiter(matters.values_list("pk", flat=True).order_by("pk").iterator(chunk_size=20000), dtype=np.int64)


# --- training ------------------------------------------------------------------------------


def _next_version() -> int:
    return (RecoveryModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1


def _decimal(value: float | None) -> Decimal | None:
    if value is None or np.isnan(value):
        return None
    return Decimal(f"{value:.4f}")


def training_set(today: dt.date, *, report: Callable | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, matter ids)`` of the snapshots at ``today - horizon - k × 30 days``."""
    horizon = horizon_days()
    cap = int(getattr(settings, "SCORE_TRAIN_MATTERS", 200_000))
    rng = np.random.default_rng(19)
    Xs, ys, groups = [], [], []
    for k in range(SNAPSHOTS):
        as_of = today - dt.timedelta(days=horizon + k * SNAPSHOT_STEP_DAYS)
        ids = open_matter_ids(as_of)
        if len(ids) > cap:
            ids = np.sort(rng.choice(ids, size=cap, replace=False))
        ids, raw = features_as_of(ids, as_of)
        Xs.append(scoring.design(raw))
        ys.append(recovered_within(ids, as_of, horizon))
        groups.append(ids)
        if report:
            report(done=k + 1, total=SNAPSHOTS)
    return np.vstack(Xs), np.concatenate(ys), np.concatenate(groups)


def train_recovery_model(today: dt.date | None = None, *, report: Callable | None = None) -> RecoveryModel:
    """Fit a new model on the portfolio's history and make it the active one; too little history: rules.

    The new row is active; the previous one is kept (with its figures) for the record.
    """
    today = today or timezone.localdate()
    horizon = horizon_days()
    X, y, groups = training_set(today, report=report)
    positives, size = int(y.sum()), len(y)
    minimum = int(getattr(settings, "SCORE_MIN_SAMPLES", 500))
    fields: dict = {"horizon_days": horizon, "sample_size": size, "positives": positives, "trained_at": timezone.now()}
    if size < minimum or min(positives, size - positives) < MIN_CLASS:
        fields.update(
            kind=ScoreKind.RULES,
            features=scoring.rules_table(),
            note=(
                f"too little history: {size} snapshots, {positives} recovered within {horizon} days "
                f"(a model needs {minimum} snapshots and {MIN_CLASS} of each outcome); rule-based score"
            ),
        )
    else:
        result = scoring.fit(X, y, groups)
        fields.update(
            kind=ScoreKind.TRAINED,
            features=result.params,
            auc=_decimal(result.auc),
            brier=_decimal(result.brier),
            baseline_auc=_decimal(result.baseline_auc),
            baseline_brier=_decimal(result.baseline_brier),
            calibration=result.calibration,
            note=result.note,
        )
    with transaction.atomic():
        RecoveryModel.objects.select_for_update().filter(active=True).update(active=False)
        model = RecoveryModel.objects.create(version=_next_version(), active=True, **fields)
    log.info("recovery model v%s (%s): %s snapshots, %s positives", model.version, model.kind, size, positives)
    return model


def active_model() -> RecoveryModel | None:
    return RecoveryModel.objects.filter(active=True).first()


def _usable(model: RecoveryModel | None) -> bool:
    """A trained model whose inputs are the ones this code computes (an older feature list: rules until retrained)."""
    return bool(
        model and model.kind == ScoreKind.TRAINED and (model.features or {}).get("names") == scoring.FEATURE_NAMES
    )


# --- scoring -------------------------------------------------------------------------------


def score_rows(raw: np.ndarray, model: RecoveryModel | None) -> tuple[np.ndarray, list[str], str]:
    """Scores, reasons (JSON texts, in the default language) and the kind, for raw facts."""
    if _usable(model):
        kind = ScoreKind.TRAINED
        values, contributions = scoring.predict(model.features, scoring.design(raw))
    else:
        kind = ScoreKind.RULES
        values, contributions = scoring.rules_score(raw)
    with translation.override(settings.LANGUAGE_CODE):
        reasons = scoring.reasons_json(raw, contributions, kind=kind)
    return values, reasons, kind


def _write_postgresql(rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for matter_id, value, kind, model_id, computed_at, reasons in rows:
        text = reasons.replace("\\", "\\\\")
        buffer.write(f"{matter_id}\t{value}\t{kind}\t{model_id if model_id else chr(92) + 'N'}\t{computed_at}\t{text}\n")
    buffer.seek(0)
    table = MatterScore._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS score_load "
            "(matter_id bigint, value numeric(5,4), kind varchar(8), model_id bigint, computed_at timestamptz, reasons jsonb) "
            "ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE score_load")
        cursor.cursor.copy_expert(
            "COPY score_load (matter_id, value, kind, model_id, computed_at, reasons) FROM STDIN", buffer
        )
        # With the matter's copies (``MatterScore.matter_*``) from the same join, refreshed nightly.
        cursor.execute(
            f"INSERT INTO {table} (matter_id, value, kind, model_id, computed_at, reasons, "
            "matter_firm_id, matter_recommendation, matter_open) "
            "SELECT l.matter_id, l.value, l.kind, l.model_id, l.computed_at, l.reasons, "
            "m.assigned_firm_id, m.recommendation, m.stage <> 'closed' "
            "FROM score_load l JOIN legalcase_matter m ON m.id = l.matter_id "
            "ON CONFLICT (matter_id) DO UPDATE SET value = EXCLUDED.value, kind = EXCLUDED.kind, "
            "model_id = EXCLUDED.model_id, computed_at = EXCLUDED.computed_at, reasons = EXCLUDED.reasons, "
            "matter_firm_id = EXCLUDED.matter_firm_id, matter_recommendation = EXCLUDED.matter_recommendation, "
            "matter_open = EXCLUDED.matter_open"
        )


def _write_orm(rows: list[tuple]) -> None:
    MatterScore.objects.bulk_create(
        [
            MatterScore(matter_id=m, value=Decimal(v), kind=k, model_id=mid, computed_at=at, reasons=json.loads(r))
            for m, v, k, mid, at, r in rows
        ],
        update_conflicts=True,
        unique_fields=["matter"],
        update_fields=["value", "kind", "model", "computed_at", "reasons"],
        batch_size=2000,
    )


def score_all(
    today: dt.date | None = None, *, report: Callable | None = None, chunk: int = CHUNK, timings: dict | None = None
) -> dict:
    """Score every matter not closed with the active model (rules without one); drop closed matters' scores.

    ``timings``, when given, receives the seconds spent gathering facts, predicting and writing.
    """
    today = today or timezone.localdate()
    model = active_model()
    model_id = model.pk if model else None
    now = timezone.now()
    ids = np.fromiter(
        Matter.objects.exclude(stage=Stage.CLOSED).order_by("pk").values_list("pk", flat=True).iterator(chunk_size=50000),
        dtype=np.int64,
    )
    spent = {"features": 0.0, "predict": 0.0, "write": 0.0}
    kind = ScoreKind.RULES
    postgres = connection.vendor == "postgresql"
    for start in range(0, len(ids), chunk):
        t0 = time.perf_counter()
        part, raw = features_as_of(ids[start:start + chunk], today, chunk=chunk)
        t1 = time.perf_counter()
        values, reasons, kind = score_rows(raw, model)
        stamp = now.isoformat()
        rows = [(m, f"{v:.4f}", kind, model_id, stamp, r) for m, v, r in zip(part.tolist(), values.tolist(), reasons)]
        t2 = time.perf_counter()
        with transaction.atomic():
            (_write_postgresql if postgres else _write_orm)(rows)
        t3 = time.perf_counter()
        spent["features"] += t1 - t0
        spent["predict"] += t2 - t1
        spent["write"] += t3 - t2
        if report:
            report(done=min(start + chunk, len(ids)), total=len(ids))
    removed, _by_model = MatterScore.objects.filter(matter__stage=Stage.CLOSED).delete()
    if timings is not None:
        timings.update(spent)
    return {
        "scored": int(len(ids)),
        "removed": removed,
        "kind": str(kind),
        "model": model.version if model else None,
        "day": today.isoformat(),
    }


def scores_daily(report: Callable | None = None) -> dict:
    """The schedule's daily entry (``legalcase.schedule``): score every open matter."""
    return score_all(report=report)


def retrain_weekly(report: Callable | None = None) -> dict:
    """The schedule's weekly entry: fit a new model on the history to date, then score with it."""
    model = train_recovery_model()
    result = score_all(report=report)
    return {"model": model.version, "kind": model.kind, "sample_size": model.sample_size, **result}


def score_payload(matter: Matter) -> dict | None:
    """A matter's ``score`` as API.md gives it (None: not scored)."""
    row = MatterScore.objects.select_related("model").filter(matter_id=matter.pk).first()
    if row is None:
        return None
    return {
        "value": f"{row.value:.4f}",
        "model": row.model.version if row.model else None,
        "kind": row.kind,
        "computed_at": row.computed_at,
        "reasons": row.reasons,
    }

