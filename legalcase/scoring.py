"""The recovery likelihood score's arithmetic (issue 19, item 2): features, fitting, scoring, reasons.

Pure: numpy arrays in, numbers and words out; the queries that gather the facts are
``legalcase.services.scoring``. What is computed, in order:

- ``RAW``: the facts of each matter known at a date ``as_of`` (the service fills them,
  only from rows dated on or before ``as_of``), one column each;
- ``design(raw)``: the model's inputs (``FEATURES``), transformed (logs, caps, shares);
- ``fit(...)``: scikit-learn's ``StandardScaler`` and ``LogisticRegression`` on past
  snapshots, held-out AUC, Brier score and a calibration table beside the trivial
  baseline (everyone gets the base rate). Only the fitted numbers are kept (JSON): the
  score is ``predict(params, X)`` in numpy, so no pickled object is ever loaded;
- ``rules_score(raw)``: the documented points used while there is too little history;
- ``reasons``: the three largest contributions of a matter's score, in words.

The label (what "recovered" means): the net amount of the recoveries received in
``(as_of, as_of + horizon]`` is above zero. A score is the estimated probability of that.

Nothing automatic reads a score: no stage, task, deadline, digest or escalation depends
on it. People sort by it and read its reasons; that is all it is for.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import ngettext

# The facts gathered per matter (columns of the raw matrix), as the service fills them.
RAW = (
    "overdue_days",  # as_of minus the debt's overdue date
    "claim",  # the claim total at escalation (yuan)
    "loan",  # 1 for a loan, 0 for a credit card
    "guarantors",  # guarantees on the debt
    "contacts",  # collection contacts on or before as_of
    "reached",  # of those, contacts that reached someone (not no answer / wrong number)
    "refused",  # contacts whose outcome was a refusal to pay
    "disputes",  # contacts whose outcome was a dispute of the debt
    "promises_kept",  # promises to pay kept by as_of
    "promises_broken",  # promises to pay broken by as_of
    "demands",  # demands (letters, calls, notices) made on or before as_of
    "recovered",  # net recoveries received on or before as_of (yuan)
    "recovered_90d",  # net recoveries received in the 90 days up to as_of (yuan)
    "days_since_payment",  # since the last payment (before escalation or a recovery); NaN: none
    "assets",  # assets found on or before as_of
    "enforcement",  # enforcement actions started on or before as_of
    "terminated",  # 1 when the matter was in terminated enforcement (终本) at as_of
)
COL = {name: i for i, name in enumerate(RAW)}
NO_PAYMENT_DAYS = 3650.0  # "never paid" counts as ten years ago


def _n(value: float) -> int:
    return int(round(value))


@dataclass(frozen=True)
class Feature:
    """One model input: how it is computed from the raw facts, and a matter's value in words."""

    name: str
    label: str  # English msgid: the model page's name of the input
    compute: Callable[[np.ndarray], np.ndarray]
    words: Callable[[np.ndarray], str]  # the matter's raw row -> words (translated when called)


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), 0.0)
    return np.clip(share, 0.0, 1.0)


def _overdue_words(row: np.ndarray) -> str:
    days = _n(row[COL["overdue_days"]])
    if days >= 365:
        years = days // 365
        return ngettext("Overdue for more than %(n)d year", "Overdue for more than %(n)d years", years) % {"n": years}
    return ngettext("Overdue for %(n)d day", "Overdue for %(n)d days", days) % {"n": days}


def _count_words(column: str, some: Callable[[int], str], none: Callable[[], str]) -> Callable[[np.ndarray], str]:
    """Words for a count: ``some(n)`` (an ``ngettext`` with ``%(n)d``) or, for none, ``none()``."""

    def words(row: np.ndarray) -> str:
        count = _n(row[COL[column]])
        return none() if count <= 0 else some(count) % {"n": count}

    return words


def _claim_words(row: np.ndarray) -> str:
    return _("Claim of %(amount)s ten-thousand yuan") % {"amount": f"{round(row[COL['claim']] / 1000) / 10:.1f}"}


def _reached_words(row: np.ndarray) -> str:
    contacts = row[COL["contacts"]]
    if contacts <= 0:
        return _("No collection contact recorded")
    return _("Debtor reached in %(pct)d%% of contacts") % {"pct": _n(100 * row[COL["reached"]] / contacts)}


def _recovered_words(row: np.ndarray) -> str:
    claim, recovered = row[COL["claim"]], row[COL["recovered"]]
    if recovered <= 0:
        return _("Nothing recovered yet")
    share = 100 * recovered / claim if claim > 0 else 100
    return _("%(pct)d%% of the claim recovered so far") % {"pct": max(1, _n(min(share, 100)))}


def _paid_90d_words(row: np.ndarray) -> str:
    if row[COL["recovered_90d"]] > 0:
        return _("Payment received in the last 90 days")
    return _("No payment in the last 90 days")


def _last_payment_words(row: np.ndarray) -> str:
    days = row[COL["days_since_payment"]]
    if np.isnan(days):
        return _("No payment on record")
    days = _n(days)
    if days >= 365:
        years = days // 365
        return ngettext("Last payment more than %(n)d year ago", "Last payment more than %(n)d years ago", years) % {
            "n": years
        }
    return ngettext("Last payment %(n)d day ago", "Last payment %(n)d days ago", days) % {"n": days}


def _flag_words(column: str, yes: Callable[[], str], no: Callable[[], str]) -> Callable[[np.ndarray], str]:
    def words(row: np.ndarray) -> str:
        return yes() if row[COL[column]] > 0 else no()

    return words


def _col(name: str) -> np.ndarray:
    return COL[name]


FEATURES: tuple[Feature, ...] = (
    Feature(
        "overdue_age", N_("Time overdue (log of days)"),
        lambda r: np.log1p(np.maximum(r[:, _col("overdue_days")], 0)), _overdue_words,
    ),
    Feature("claim_size", N_("Claim (log of yuan)"), lambda r: np.log1p(np.maximum(r[:, _col("claim")], 0)), _claim_words),
    Feature(
        "product_loan", N_("Product is a loan"), lambda r: r[:, _col("loan")],
        _flag_words("loan", lambda: _("The debt is a loan"), lambda: _("The debt is a credit card")),
    ),
    Feature(
        "guarantors", N_("Guarantors (up to 3)"), lambda r: np.minimum(r[:, _col("guarantors")], 3),
        _count_words("guarantors", lambda n: ngettext("%(n)d guarantor", "%(n)d guarantors", n), lambda: _("No guarantor")),
    ),
    Feature(
        "contacts", N_("Collection contacts (log)"), lambda r: np.log1p(r[:, _col("contacts")]),
        _count_words("contacts", lambda n: ngettext("%(n)d collection contact", "%(n)d collection contacts", n), lambda: _("No collection contact recorded")),
    ),
    Feature(
        "reached_share", N_("Share of contacts that reached the debtor's side"),
        lambda r: _share(r[:, _col("reached")], r[:, _col("contacts")]), _reached_words,
    ),
    Feature(
        "refusals", N_("Refusals to pay (up to 5)"), lambda r: np.minimum(r[:, _col("refused")], 5),
        _count_words("refused", lambda n: ngettext("Refused to pay %(n)d time", "Refused to pay %(n)d times", n), lambda: _("Never refused to pay")),
    ),
    Feature(
        "disputes", N_("Disputes of the debt (up to 3)"), lambda r: np.minimum(r[:, _col("disputes")], 3),
        _count_words("disputes", lambda n: ngettext("Disputed the debt %(n)d time", "Disputed the debt %(n)d times", n), lambda: _("Never disputed the debt")),
    ),
    Feature(
        "promises_kept", N_("Promises to pay kept (up to 5)"), lambda r: np.minimum(r[:, _col("promises_kept")], 5),
        _count_words("promises_kept", lambda n: ngettext("Kept %(n)d promise to pay", "Kept %(n)d promises to pay", n), lambda: _("No promise to pay kept")),
    ),
    Feature(
        "promises_broken", N_("Promises to pay broken (up to 5)"), lambda r: np.minimum(r[:, _col("promises_broken")], 5),
        _count_words(
            "promises_broken",
            lambda n: ngettext("Broke %(n)d promise to pay", "Broke %(n)d promises to pay", n),
            lambda: _("No promise to pay broken"),
        ),
    ),
    Feature(
        "demands", N_("Demands made (up to 5)"), lambda r: np.minimum(r[:, _col("demands")], 5),
        _count_words("demands", lambda n: ngettext("%(n)d demand made", "%(n)d demands made", n), lambda: _("No demand made")),
    ),
    Feature(
        "recovered_share", N_("Share of the claim recovered so far"),
        lambda r: _share(np.maximum(r[:, _col("recovered")], 0), r[:, _col("claim")]), _recovered_words,
    ),
    Feature("paid_90d", N_("Payment in the last 90 days"), lambda r: (r[:, _col("recovered_90d")] > 0) * 1.0, _paid_90d_words),
    Feature(
        "paid_year", N_("Payment in the last year"),
        lambda r: (np.nan_to_num(r[:, _col("days_since_payment")], nan=NO_PAYMENT_DAYS) <= 365) * 1.0,
        _last_payment_words,
    ),
    Feature(
        "assets_found", N_("Assets found"), lambda r: (r[:, _col("assets")] > 0) * 1.0,
        _flag_words("assets", lambda: _("Assets found"), lambda: _("No asset found")),
    ),
    Feature(
        "enforcement", N_("Enforcement measures taken"), lambda r: (r[:, _col("enforcement")] > 0) * 1.0,
        _flag_words("enforcement", lambda: _("Enforcement measures taken"), lambda: _("No enforcement measure yet")),
    ),
    Feature(
        "terminated", N_("Enforcement terminated (终本)"), lambda r: r[:, _col("terminated")],
        _flag_words("terminated", lambda: _("Enforcement terminated without full payment (终本)"), lambda: _("Not in terminated enforcement")),
    ),
)
FEATURE_NAMES = [feature.name for feature in FEATURES]
BY_NAME = {feature.name: feature for feature in FEATURES}


def design(raw: np.ndarray) -> np.ndarray:
    """The model's inputs (one column per ``FEATURES``) from the raw facts (one column per ``RAW``)."""
    raw = np.asarray(raw, dtype=float).reshape(-1, len(RAW))
    return np.column_stack([feature.compute(raw) for feature in FEATURES]).astype(float)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


# --- the trained model ------------------------------------------------------------------


def predict(params: dict, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and per-feature contributions (coefficient × standardised value) of design rows ``X``."""
    mean, scale = np.asarray(params["mean"], float), np.asarray(params["scale"], float)
    coef = np.asarray(params["coef"], float)
    contributions = (X - mean) / np.where(scale > 0, scale, 1.0) * coef
    return sigmoid(contributions.sum(axis=1) + float(params["intercept"])), contributions


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """The area under the ROC curve (scikit-learn's ``roc_auc_score``); NaN with one outcome only."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Ten bins of predicted probability: the count, the mean prediction and the share that recovered."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        table.append(
            {
                "bin": b + 1,
                "low": round(float(edges[b]), 2),
                "high": round(float(edges[b + 1]), 2),
                "count": count,
                "predicted": round(float(p[mask].mean()), 4) if count else None,
                "observed": round(float(y[mask].mean()), 4) if count else None,
            }
        )
    return table


@dataclass
class FitResult:
    params: dict
    sample_size: int
    positives: int
    auc: float
    brier: float
    baseline_auc: float
    baseline_brier: float
    calibration: list[dict]
    note: str


def fit(X: np.ndarray, y: np.ndarray, groups: np.ndarray, *, seed: int = 19, test_share: float = 0.25) -> FitResult:
    """Fit on past snapshots; measure on matters held out (all snapshots of a matter on one side).

    The held-out matters are drawn stratified by whether the matter ever recovered, with
    a fixed seed. Both ``class_weight=None`` and ``"balanced"`` are fitted and measured:
    the unweighted model is kept (balancing moves every probability up, which the Brier
    score and the calibration table punish; its AUC is no better), and the balanced
    model's figures are written in the note.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    y = np.asarray(y, dtype=int)
    matters, inverse = np.unique(groups, return_inverse=True)
    ever = np.zeros(len(matters), dtype=int)
    np.maximum.at(ever, inverse, y)
    stratify = ever if 0 < ever.sum() < len(ever) and min(ever.sum(), len(ever) - ever.sum()) >= 2 else None
    train_m, _test_m = train_test_split(np.arange(len(matters)), test_size=test_share, random_state=seed, stratify=stratify)
    in_train = np.isin(inverse, train_m)
    X_train, y_train, X_test, y_test = X[in_train], y[in_train], X[~in_train], y[~in_train]

    scaler = StandardScaler().fit(X_train)
    figures = {}
    models = {}
    for weight in (None, "balanced"):
        model = LogisticRegression(C=1.0, class_weight=weight, max_iter=1000)
        model.fit(scaler.transform(X_train), y_train)
        params = {
            "names": FEATURE_NAMES,
            "mean": [float(v) for v in scaler.mean_],
            "scale": [float(v) for v in scaler.scale_],
            "coef": [float(v) for v in model.coef_[0]],
            "intercept": float(model.intercept_[0]),
            "class_weight": weight,
        }
        p_test, _c = predict(params, X_test)
        figures[weight] = (auc(y_test, p_test), brier(y_test, p_test), p_test)
        models[weight] = params
    base_rate = float(y_train.mean())
    p_base = np.full(len(y_test), base_rate)
    kept_auc, kept_brier, p_test = figures[None]
    balanced_auc, balanced_brier, _p = figures["balanced"]
    held_out = {"snapshots": int(len(y_test)), "matters": int(len(matters) - len(train_m))}
    note = (
        f"held out {held_out['snapshots']} snapshots of {held_out['matters']} matters; "
        f"class_weight=balanced measured AUC {balanced_auc:.4f}, Brier {balanced_brier:.4f} (not kept); "
        f"base rate {base_rate:.4f}"
    )
    return FitResult(
        params={
            **models[None],
            "held_out": held_out,
            "base_rate": round(base_rate, 4),
            "balanced": {"auc": round(balanced_auc, 4), "brier": round(balanced_brier, 4)},
        },
        sample_size=int(len(y)),
        positives=int(y.sum()),
        auc=kept_auc,
        brier=kept_brier,
        baseline_auc=auc(y_test, p_base),
        baseline_brier=brier(y_test, p_base),
        calibration=calibration_table(y_test, p_test),
        note=note,
    )


# --- the rules ---------------------------------------------------------------------------

RULES_BASE = 0.30
# (code, English description, points, test on the raw rows). A score is the base plus the
# points of the rules that hold, kept within [0.01, 0.99].
RULES: tuple[tuple[str, str, float, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("paid_90d", N_("Payment received in the last 90 days"), 0.30, lambda r: r[:, COL["recovered_90d"]] > 0),
    ("promises_kept", N_("A promise to pay was kept"), 0.15, lambda r: r[:, COL["promises_kept"]] > 0),
    ("assets_found", N_("Assets found"), 0.15, lambda r: r[:, COL["assets"]] > 0),
    (
        "reached_share",
        N_("Half or more of the contacts reached the debtor's side"),
        0.05,
        lambda r: (r[:, COL["contacts"]] > 0) & (2 * r[:, COL["reached"]] >= r[:, COL["contacts"]]),
    ),
    ("refusals", N_("Refused to pay"), -0.10, lambda r: r[:, COL["refused"]] > 0),
    ("promises_broken", N_("Broke a promise to pay"), -0.10, lambda r: r[:, COL["promises_broken"]] > 0),
    ("promises_broken_2", N_("Broke two or more promises to pay"), -0.05, lambda r: r[:, COL["promises_broken"]] >= 2),
    ("disputes", N_("Disputed the debt"), -0.05, lambda r: r[:, COL["disputes"]] > 0),
    ("overdue_age", N_("Overdue for more than 1 year"), -0.05, lambda r: r[:, COL["overdue_days"]] > 365),
    ("overdue_age_3y", N_("Overdue for more than 3 years"), -0.10, lambda r: r[:, COL["overdue_days"]] > 3 * 365),
    ("terminated", N_("Enforcement terminated without full payment (终本)"), -0.15, lambda r: r[:, COL["terminated"]] > 0),
)
# A rule's reason names the matter's own figure where the model's words do.
RULE_WORDS = {"promises_broken_2": "promises_broken", "overdue_age_3y": "overdue_age"}


def rules_table() -> dict:
    """What the model page shows for a rule-based score (and ``RecoveryModel.features`` keeps)."""
    return {"base": RULES_BASE, "rules": [{"code": code, "text": text, "points": points} for code, text, points, _t in RULES]}


def rules_score(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores and the points each rule gave each matter (rows × rules)."""
    raw = np.asarray(raw, dtype=float).reshape(-1, len(RAW))
    points = np.column_stack([np.where(test(raw), value, 0.0) for _c, _t, value, test in RULES])
    return np.clip(RULES_BASE + points.sum(axis=1), 0.01, 0.99), points


# --- reasons ------------------------------------------------------------------------------

def _nan_safe(value: float):
    return None if value != value else value  # NaN is never equal to itself, so never a cache hit


# What each reason's words depend on (the cache key of ``reasons_json``): a row (a list) to a key.
_WORD_KEYS: dict[str, Callable[[list], object]] = {
    "overdue_age": lambda row: row[COL["overdue_days"]],
    "overdue_age_3y": lambda row: row[COL["overdue_days"]],
    "claim_size": lambda row: round(row[COL["claim"]] / 1000),
    "recovered_share": lambda row: (
        row[COL["recovered"]] <= 0,
        round(100 * row[COL["recovered"]] / row[COL["claim"]]) if row[COL["claim"]] > 0 else 0,
    ),
    "reached_share": lambda row: (row[COL["contacts"]], row[COL["reached"]]),
    "paid_90d": lambda row: row[COL["recovered_90d"]] > 0,
    "paid_year": lambda row: _nan_safe(row[COL["days_since_payment"]]),
    "product_loan": lambda row: row[COL["loan"]],
    "guarantors": lambda row: row[COL["guarantors"]],
    "contacts": lambda row: row[COL["contacts"]],
    "refusals": lambda row: row[COL["refused"]],
    "disputes": lambda row: row[COL["disputes"]],
    "promises_kept": lambda row: row[COL["promises_kept"]],
    "promises_broken": lambda row: row[COL["promises_broken"]],
    "promises_broken_2": lambda row: row[COL["promises_broken"]],
    "demands": lambda row: row[COL["demands"]],
    "assets_found": lambda row: row[COL["assets"]] > 0,
    "enforcement": lambda row: row[COL["enforcement"]] > 0,
    "terminated": lambda row: row[COL["terminated"]],
}


def _rule_words(code: str, row: np.ndarray) -> str:
    feature = RULE_WORDS.get(code, code)
    if feature in BY_NAME:
        return BY_NAME[feature].words(row)
    return _(next(text for c, text, _p, _t in RULES if c == code))


def reasons(raw_row: np.ndarray, contributions: np.ndarray, *, kind: str, limit: int = 3) -> list[dict]:
    """The ``limit`` largest effects on one matter's score, ``{"code", "text", "effect": "+"|"-"}``.

    ``contributions``: the model's (one per ``FEATURES``) or the rules' points (one per ``RULES``).
    Effects too small to matter (under 0.05 in log-odds or points) are left out.
    """
    codes = FEATURE_NAMES if kind == "trained" else [code for code, *_rest in RULES]
    order = np.argsort(-np.abs(contributions), kind="stable")
    found = []
    for index in order[:limit]:
        effect = float(contributions[index])
        if abs(effect) < 0.05 or math.isnan(effect):
            break
        code = codes[index]
        text = BY_NAME[code].words(raw_row) if kind == "trained" else _rule_words(code, raw_row)
        found.append({"code": code, "text": text, "effect": "+" if effect > 0 else "-"})
    return found


def reasons_json(raw: np.ndarray, contributions: np.ndarray, *, kind: str, limit: int = 3) -> list[str]:
    """``reasons`` for many rows at once, each as its JSON text (what ``MatterScore.reasons`` stores).

    The same words for the same facts are formatted once (a million matters share few of them).
    """
    codes = FEATURE_NAMES if kind == "trained" else [code for code, *_rest in RULES]
    keys = [_WORD_KEYS.get(code, lambda row: None) for code in codes]
    top = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :limit]
    effects = np.take_along_axis(contributions, top, axis=1)
    rows = raw.tolist()
    cache: dict[tuple, str] = {}
    found = []
    for i, (indices, values) in enumerate(zip(top.tolist(), effects.tolist())):
        parts = []
        row = rows[i]
        for j, effect in zip(indices, values):
            if not abs(effect) >= 0.05:  # also NaN
                break
            sign = "+" if effect > 0 else "-"
            key = (j, sign, keys[j](row))
            part = cache.get(key)
            if part is None:
                code = codes[j]
                array = np.asarray(row)
                text = BY_NAME[code].words(array) if kind == "trained" else _rule_words(code, array)
                part = json.dumps({"code": code, "text": text, "effect": sign}, ensure_ascii=False)
                cache[key] = part
            parts.append(part)
        found.append("[" + ", ".join(parts) + "]")
    return found
