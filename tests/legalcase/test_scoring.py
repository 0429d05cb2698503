"""The recovery likelihood score (issue 19, item 2): facts at a date, training, rules, scoring, API, pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase import scoring
from legalcase.models import (
    Asset,
    Contact,
    ContactOutcome,
    Debt,
    DemandRecord,
    EnforcementAction,
    EventKind,
    Matter,
    MatterEvent,
    MatterScore,
    Promise,
    Recovery,
    RecoveryModel,
    Role,
    ScoreKind,
)
from legalcase.services.scoring import features_as_of, score_all, train_recovery_model
from tests.factories import make_creditor, make_matter, make_party, make_user
from tests.shared_rows import shared_rows

# Every test, including those that only read the module's shared rows: pytest-django sets up
# the test database only for a session holding a test marked django_db.
pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)
OPENED = dt.date(2024, 6, 1)
MONTHS = 24  # of history, July 2024 to June 2026


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_history(n: int = 240, *, seed: int = 7) -> dict:
    """``n`` matters opened in June 2024 with two years of payments and contacts, following a rule with noise.

    A matter's debtor is a payer (45 %) or not: a payer pays in a month with a chance of
    0.55, others with 0.04; every third month a contact reaches a payer (80 %) and
    mostly meets a refusal or no answer from the others. Written with ``bulk_create``.
    """
    rng = np.random.default_rng(seed)
    user = make_user(Role.COUNSEL, username="history-counsel")
    creditor = make_creditor()
    debtor = make_party("历史债务人")
    debts = Debt.objects.bulk_create(
        Debt(
            creditor=creditor, debtor=debtor, product="loan" if i % 3 == 0 else "credit_card",
            account_number=f"62170000{i:08d}", amounts_as_of=OPENED, principal=Decimal(20000 + 137 * i),
            overdue_since=OPENED - dt.timedelta(days=int(rng.integers(60, 1500))),
        )
        for i in range(n)
    )
    opened = _aware(OPENED)
    matters = Matter.objects.bulk_create(
        Matter(
            number=f"H2024-{i:05d}", debt=debt, debtor_name="历史债务人", claim_total=debt.principal,
            created_at=opened, stage_changed_at=opened,
        )
        for i, debt in enumerate(debts)
    )
    payer = rng.random(n) < 0.45
    recoveries, contacts = [], []
    for m, matter in enumerate(matters):
        for month in range(MONTHS):
            day = dt.date(2024 + (6 + month) // 12, (6 + month) % 12 + 1, 1 + int(rng.integers(0, 27)))
            if rng.random() < (0.55 if payer[m] else 0.04):
                amount = Decimal(int(rng.integers(200, 3000)))
                recoveries.append(
                    Recovery(matter=matter, amount=amount, received_on=day, source="voluntary",
                             allocated_costs=0, allocated_interest=0, allocated_principal=amount)
                )
            if month % 3 == 0:
                draw = rng.random()
                if payer[m]:
                    outcome = ContactOutcome.HARDSHIP if draw < 0.8 else ContactOutcome.REFUSED if draw < 0.9 else ContactOutcome.NO_ANSWER
                else:
                    outcome = ContactOutcome.REFUSED if draw < 0.4 else ContactOutcome.NO_ANSWER if draw < 0.9 else ContactOutcome.HARDSHIP
                contacts.append(
                    Contact(matter=matter, channel="phone", direction="outbound", party=debtor, outcome=outcome,
                            occurred_at=_aware(day), occurred_on=day, created_by=user)
                )
    Recovery.objects.bulk_create(recoveries)
    Contact.objects.bulk_create(contacts)
    return {"matters": matters, "payer": payer, "user": user}


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with shared_rows(django_db_blocker, "scoring history"):
        rows = seed_history()
        model = train_recovery_model(TODAY)
        score_all(TODAY)
        yield {**rows, "model": model}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- facts at a date --------------------------------------------------------------------------


def test_facts_at_a_date_ignore_everything_dated_after_it():
    as_of = dt.date(2026, 1, 15)
    user = make_user(Role.COUNSEL)
    matter = make_matter(overdue_since=dt.date(2025, 1, 15), product="loan")
    debtor = matter.debt.debtor
    before = _aware(dt.date(2026, 1, 10))

    def contact(day, outcome):
        return Contact.objects.create(matter=matter, channel="phone", direction="outbound", party=debtor,
                                      outcome=outcome, occurred_at=_aware(day), occurred_on=day, created_by=user)

    contact(dt.date(2026, 1, 5), ContactOutcome.REFUSED)
    kept = contact(dt.date(2025, 12, 1), ContactOutcome.PROMISE_TO_PAY)
    Promise.objects.create(matter=matter, contact=kept, amount=500, promised_on=dt.date(2025, 12, 1),
                           due_on=dt.date(2025, 12, 20), status="kept", status_changed_at=before)
    Recovery.objects.create(matter=matter, amount=500, received_on=dt.date(2025, 12, 18), source="voluntary",
                            allocated_costs=0, allocated_interest=0, allocated_principal=500)
    ids, raw = features_as_of([matter.pk], as_of)
    first = raw.copy()
    row = dict(zip(scoring.RAW, first[0]))
    assert row["overdue_days"] == 365 and row["loan"] == 1
    assert (row["contacts"], row["reached"], row["refused"]) == (2, 2, 1)
    assert (row["promises_kept"], row["promises_broken"]) == (1, 0)
    assert (row["recovered"], row["recovered_90d"], row["days_since_payment"]) == (500, 500, 28)

    # Everything below is dated after as_of, or became so after it.
    later = dt.date(2026, 1, 16)
    contact(later, ContactOutcome.DISPUTE)
    broken = contact(dt.date(2026, 1, 2), ContactOutcome.PROMISE_TO_PAY)
    Promise.objects.create(matter=matter, contact=broken, amount=900, promised_on=dt.date(2026, 1, 2),
                           due_on=dt.date(2026, 1, 12), status="broken", status_changed_at=_aware(later))
    first[0, scoring.COL["contacts"]] += 1  # the promise's own contact was on Jan 2: it counts
    first[0, scoring.COL["reached"]] += 1
    Recovery.objects.create(matter=matter, amount=800, received_on=later, source="voluntary",
                            allocated_costs=0, allocated_interest=0, allocated_principal=800)
    Asset.objects.create(matter=matter, owner=debtor, kind="vehicle", description="车辆", source="creditor",
                         found_on=later)
    EnforcementAction.objects.create(matter=matter, kind="freeze_deposit", started_on=later)
    DemandRecord.objects.create(debt=matter.debt, date=later, channel="letter")
    MatterEvent.objects.create(matter=matter, kind=EventKind.STAGE_CHANGED, at=_aware(later),
                               old={"stage": "enforcement"}, new={"stage": "enforcement_terminated"})
    _ids, again = features_as_of([matter.pk], as_of)
    np.testing.assert_array_equal(np.nan_to_num(again, nan=-1), np.nan_to_num(first, nan=-1))
    # The same facts a day later see them all.
    _ids, after = features_as_of([matter.pk], later)
    row = dict(zip(scoring.RAW, after[0]))
    assert (row["disputes"], row["promises_broken"], row["assets"], row["enforcement"], row["demands"]) == (1, 1, 1, 1, 1)
    assert (row["recovered"], row["terminated"]) == (1300, 1)


# --- training on a seeded history ------------------------------------------------------------


def test_a_model_trained_on_the_history_beats_the_trivial_baseline_on_held_out_matters(history):
    model = RecoveryModel.objects.get(pk=history["model"].pk)
    assert model.kind == ScoreKind.TRAINED and model.active
    assert model.sample_size == 4 * 240
    assert 200 < model.positives < model.sample_size - 200
    assert model.auc >= Decimal("0.70")
    assert model.brier < model.baseline_brier
    assert model.baseline_auc == Decimal("0.5000")
    assert model.features["names"] == scoring.FEATURE_NAMES
    assert len(model.features["coef"]) == len(scoring.FEATURE_NAMES)
    # The calibration has 10 bins over the held-out set.
    assert [row["bin"] for row in model.calibration] == list(range(1, 11))
    assert sum(row["count"] for row in model.calibration) > 200
    assert "balanced" in model.note


def test_payers_score_higher_and_their_reasons_say_why(history):
    payer = history["payer"]
    values = dict(MatterScore.objects.values_list("matter_id", "value"))
    ids = [matter.pk for matter in history["matters"]]
    scores = np.array([float(values[pk]) for pk in ids])
    assert scores[payer].mean() > scores[~payer].mean() + 0.3
    top = MatterScore.objects.order_by("-value", "-matter_id").first()
    assert top.kind == ScoreKind.TRAINED and top.model_id == history["model"].pk
    assert 1 <= len(top.reasons) <= 3
    assert all(set(reason) == {"code", "text", "effect"} for reason in top.reasons)
    # The reasons are the largest contributions (weight × standardised value), with their signs.
    _ids, raw = features_as_of([top.matter_id], TODAY)
    _p, contributions = scoring.predict(history["model"].features, scoring.design(raw))
    largest = np.argsort(-np.abs(contributions[0]))[: len(top.reasons)]
    assert [reason["code"] for reason in top.reasons] == [scoring.FEATURE_NAMES[j] for j in largest]
    assert [reason["effect"] for reason in top.reasons] == ["+" if contributions[0][j] > 0 else "-" for j in largest]
    assert float(top.value) == pytest.approx(float(_p[0]), abs=1e-4)


def test_api_detail_answers_the_score_as_api_md_says(history):
    matter = history["matters"][0]
    response = api(history["user"]).get(f"/api/v1/matters/{matter.pk}/")
    assert response.status_code == 200
    score = response.json()["score"]
    row = MatterScore.objects.get(matter=matter)
    assert set(score) == {"value", "model", "kind", "computed_at", "reasons"}
    assert score["value"] == f"{row.value:.4f}" and len(score["value"]) == 6
    assert score["model"] == history["model"].version
    assert score["kind"] == "trained"
    assert score["reasons"] == row.reasons


def test_the_model_page_shows_the_figures_beside_the_baseline(history):
    client = Client()
    client.force_login(history["user"])
    response = client.get(reverse("scoring_model"))
    assert response.status_code == 200
    page = response.content.decode()
    model = history["model"]
    assert f"{model.auc}" in page and f"{model.baseline_brier}" in page and f"{model.brier}" in page
    assert "回收可能性模型" in page and "训练模型" in page
    held_out = model.features["held_out"]
    assert f"留出集：{held_out['matters']}个案件的{held_out['snapshots']}个快照" in page
    assert "近90日有还款" in page  # the inputs with their weights, in words
    assert "历史数据不足" not in page and 'id="scoring-rules"' not in page


def test_the_matter_page_shows_the_score_and_its_reasons(history):
    client = Client()
    client.force_login(history["user"])
    top = MatterScore.objects.order_by("-value", "-matter_id").first()
    page = client.get(reverse("matter_detail", args=[top.matter_id])).content.decode()
    # Shown as a percentage, the four decimals on hover.
    assert f'title="{top.value:.4f}">{round(top.value * 100)}%</strong>' in page
    assert top.reasons[0]["text"] in page


# --- too little history: the rules ------------------------------------------------------------


def test_too_little_history_gives_the_rule_based_score_and_says_so():
    counsel = make_user(Role.COUNSEL)
    paying = make_matter(overdue_since=dt.date(2026, 1, 1))
    idle = make_matter(overdue_since=dt.date(2021, 1, 1))
    Recovery.objects.create(matter=paying, amount=300, received_on=timezone.localdate() - dt.timedelta(days=10),
                            source="voluntary", allocated_costs=0, allocated_interest=0, allocated_principal=300)
    model = train_recovery_model()
    assert model.kind == ScoreKind.RULES and model.auc is None and model.active
    assert "too little history" in model.note
    result = score_all()
    assert result["kind"] == "rules" and result["scored"] == 2
    high, low = MatterScore.objects.get(matter=paying), MatterScore.objects.get(matter=idle)
    assert high.value == Decimal("0.6000")  # 0.30 base + 0.30 for a payment in the last 90 days
    assert high.reasons == [{"code": "paid_90d", "text": "近90日有还款记录", "effect": "+"}]
    assert low.value == Decimal("0.1500")  # overdue over 1 year (−0.05) and over 3 years (−0.10)
    assert [reason["code"] for reason in low.reasons] == ["overdue_age_3y", "overdue_age"]
    assert low.reasons[0]["effect"] == "-" and low.reasons[0]["text"].startswith("逾期已超过")
    client = Client()
    client.force_login(counsel)
    page = client.get(reverse("scoring_model")).content.decode()
    assert "历史数据不足" in page and "+0.30" in page
    body = api(counsel).get(f"/api/v1/matters/{paying.pk}/").json()
    assert body["score"]["kind"] == "rules" and body["score"]["model"] == model.version


def test_an_unscored_matter_answers_null_and_closed_matters_lose_their_score():
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    assert api(counsel).get(f"/api/v1/matters/{matter.pk}/").json()["score"] is None
    closed = make_matter(stage="closed")
    MatterScore.objects.create(matter=closed, value=Decimal("0.5"), kind="rules")
    out = io.StringIO()
    call_command("score_matters", stdout=out)
    assert "1 matters scored (rules, no model)" in out.getvalue()
    assert list(MatterScore.objects.values_list("matter_id", flat=True)) == [matter.pk]
    assert MatterScore.objects.get().model_id is None


def test_the_model_page_is_for_counsel_managers_and_admins_only():
    for role, status in ((Role.COUNSEL, 200), (Role.MANAGER, 200), (Role.ADMIN, 200), (Role.LAWYER, 403)):
        client = Client()
        client.force_login(make_user(role))
        assert client.get(reverse("scoring_model")).status_code == status, role
    lawyer = Client()
    lawyer.force_login(make_user(Role.LAWYER))
    assert reverse("scoring_model") not in lawyer.get(reverse("matter_list")).content.decode()
    counsel = Client()
    counsel.force_login(make_user(Role.COUNSEL))
    assert reverse("scoring_model") in counsel.get(reverse("matter_list")).content.decode()


def test_the_train_command_reports_progress_and_the_outcome():
    make_matter()
    out = io.StringIO()
    call_command("train_recovery_model", "--score", stdout=out)
    text = out.getvalue()
    assert "snapshot 4 of 4 gathered" in text
    assert "model v1 (rules)" in text and "1 matters scored (rules, model v1)" in text
    assert RecoveryModel.objects.get().version == 1


def test_the_schedule_scores_daily_and_retrains_weekly():
    from legalcase.schedule import ENTRIES

    assert ENTRIES["scores_daily"].resolve().__name__ == "scores_daily"
    assert ENTRIES["scores_retrain"].resolve().__name__ == "retrain_weekly"
    assert ENTRIES["scores_retrain"].cron == "0 5 * * sun"
