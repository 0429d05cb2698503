"""The recovery likelihood model page (回收可能性模型): what the score is, how good it is, what moves it.

For counsel, managers and admins (``view_dashboard``); a lawyer gets 403. The page says in
so many words that nothing automatic reads the score (``legalcase.services.scoring``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from legalcase import scoring
from legalcase.access import require
from legalcase.models import MatterScore, RecoveryModel, ScoreKind
from legalcase.services.scoring import MIN_CLASS, SNAPSHOT_STEP_DAYS, SNAPSHOTS


def _weights(model: RecoveryModel) -> list[dict]:
    """The trained model's inputs, largest weight first, each with its direction in words."""
    params = model.features or {}
    rows = []
    for name, coef in zip(params.get("names", []), params.get("coef", [])):
        feature = scoring.BY_NAME.get(name)
        if abs(coef) < 0.0005:
            words = _("no effect (the same for every matter in the history)")
        else:
            words = _("raises the score") if coef > 0 else _("lowers the score")
        rows.append({"name": _(feature.label) if feature else name, "coef": f"{coef:+.3f}", "words": words, "size": abs(coef)})
    return sorted(rows, key=lambda row: -row["size"])


@login_required
@require_GET
def scoring_model(request: HttpRequest) -> HttpResponse:
    require(request.user, "view_dashboard")
    model = RecoveryModel.objects.filter(active=True).first()
    rules = [
        {"text": _(text), "points": f"{points:+.2f}"} for _code, text, points, _test in scoring.RULES
    ]
    context = {
        "nav": "scoring",
        "model": model,
        "trained": bool(model and model.kind == ScoreKind.TRAINED),
        "weights": _weights(model) if model and model.kind == ScoreKind.TRAINED else [],
        "fit": (model.features or {}) if model and model.kind == ScoreKind.TRAINED else {},
        "rules": rules,
        "rules_base": f"{scoring.RULES_BASE:.2f}",
        "scored": MatterScore.objects.count(),
        "history": RecoveryModel.objects.order_by("-version")[:10],
        "snapshots": SNAPSHOTS,
        "step_days": SNAPSHOT_STEP_DAYS,
        "min_class": MIN_CLASS,
    }
    return render(request, "legalcase/scoring_model.html", context)
