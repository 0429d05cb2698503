"""Who may see and do what: API.md's roles table, in one place.

Every page and endpoint reaches a matter through ``access_matter``, and an object that
belongs to a matter (evidence, a document, a proceeding, an invoice...) through
``access_child``: one that does not exist and one the user may not see both answer
404, and a role that may not take an action on one it can see answers 403. Outside lawyers see a matter only
while their firm holds the current assignment (``Matter.assigned_firm``), so ending
an assignment takes effect on the very next request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from legalcase.models import EventKind, Job, Matter, MatterEvent, Role, User

COUNSEL, LAWYER, MANAGER, ADMIN = Role.COUNSEL, Role.LAWYER, Role.MANAGER, Role.ADMIN

# API.md "Roles". For a lawyer every matter action is limited to assigned matters,
# which is what ``visible_matters`` already enforces.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset({COUNSEL, LAWYER, MANAGER, ADMIN}),
    "escalate": frozenset({COUNSEL, ADMIN}),
    "assign": frozenset({COUNSEL, ADMIN}),
    "set_owner": frozenset({COUNSEL, ADMIN}),
    "move_stage": frozenset({COUNSEL, LAWYER, ADMIN}),
    "write_evidence": frozenset({COUNSEL, LAWYER, ADMIN}),
    "write_filings": frozenset({COUNSEL, LAWYER, ADMIN}),
    "write_proceedings": frozenset({COUNSEL, LAWYER, ADMIN}),
    # Choosing the court or commission belongs with the proceedings.
    "set_forum": frozenset({COUNSEL, LAWYER, ADMIN}),
    # Adding a court or commission to the shared table, correcting its address (issue 16).
    "manage_forums": frozenset({COUNSEL, ADMIN}),
    "write_enforcement": frozenset({COUNSEL, LAWYER, MANAGER, ADMIN}),
    "write_recoveries": frozenset({COUNSEL, MANAGER, ADMIN}),
    "reveal": frozenset({COUNSEL, LAWYER, ADMIN}),
    "manage_templates": frozenset({ADMIN}),
    # Settlements, transfers, outside-firm fees and the asset managers' dashboard (issue 9).
    # Agreeing a settlement or a reduction is the creditor's decision, as recoveries are.
    "write_settlements": frozenset({COUNSEL, MANAGER, ADMIN}),
    "transfer_claims": frozenset({COUNSEL, MANAGER, ADMIN}),
    "set_fees": frozenset({COUNSEL, ADMIN}),
    # A lawyer invoices only their own firm's assignments.
    "submit_invoices": frozenset({LAWYER, ADMIN}),
    "decide_invoices": frozenset({COUNSEL, ADMIN}),
    "pay_invoices": frozenset({COUNSEL, ADMIN}),
    "view_fees": frozenset({COUNSEL, LAWYER, MANAGER, ADMIN}),
    # The whole dashboard; a lawyer sees only their own firm's scorecard.
    "view_dashboard": frozenset({COUNSEL, MANAGER, ADMIN}),
    # Correcting and completing the record (API.md, v1.1 roles): debt terms, amounts,
    # parties and guarantees; the assignment's lawyers and a firm's address (a lawyer,
    # their own firm's); the creditor's filing details; a party's identity number.
    "write_record": frozenset({COUNSEL, LAWYER, ADMIN}),
    "set_lawyers": frozenset({COUNSEL, LAWYER, ADMIN}),
    "correct_firm": frozenset({COUNSEL, LAWYER, ADMIN}),
    "correct_creditor": frozenset({COUNSEL, ADMIN}),
    "correct_identity": frozenset({COUNSEL, ADMIN}),
    # LEGAL_RULES B.9: a legal hold suspends the anonymisation of a closed matter's data.
    "set_legal_hold": frozenset({COUNSEL, ADMIN}),
    # The audit log of acts tied to no single matter (API.md v1.1 roles).
    "view_audit_log": frozenset({ADMIN}),
    # The LPR table (API.md v1.1 roles: "LPR rows" are administrators' alone).
    "write_lpr": frozenset({ADMIN}),
    # LEGAL_RULES B.6: counsel decides whether the acceptance fee is in the 迟延履行 base.
    "set_delay_base": frozenset({COUNSEL, ADMIN}),
    # Demands and their courier tracking (API.md v1.1 roles: "contacts, demands, …").
    "write_demands": frozenset({COUNSEL, LAWYER, MANAGER, ADMIN}),
    # Court notices (API.md v1.1 roles): post and confirm; managers read them.
    "write_court_notices": frozenset({COUNSEL, LAWYER, ADMIN}),
    # The collection desk (API.md v1.1 roles): contacts, complaints; overriding a binding
    # conduct rule and resolving a complaint are counsel's and administrators' alone.
    "write_contacts": frozenset({COUNSEL, LAWYER, MANAGER, ADMIN}),
    "override_conduct": frozenset({COUNSEL, ADMIN}),
    "resolve_complaints": frozenset({COUNSEL, ADMIN}),
    # Issue 19 (API.md v1.1 roles): tasks and applying playbooks follow the matter;
    # writing playbooks is counsel's.
    "write_tasks": frozenset({COUNSEL, LAWYER, MANAGER, ADMIN}),
    "manage_playbooks": frozenset({COUNSEL, ADMIN}),
    # The debtor review and its screening (API.md v1.1 roles: "reviews" follow the matter).
    "write_reviews": frozenset({COUNSEL, LAWYER, MANAGER, ADMIN}),
}


def can(user: User, action: str) -> bool:
    """Whether the user's role may take ``action`` (on any matter it can see)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.role in PERMISSIONS[action]


def visible_matters(user: User) -> QuerySet[Matter]:
    """Every matter the user may see."""
    matters = Matter.objects.all()
    if not user.is_authenticated or not user.is_active:
        return matters.none()
    if user.role == LAWYER:
        if user.firm_id is None:
            return matters.none()
        return matters.filter(assigned_firm_id=user.firm_id)
    if user.role in (COUNSEL, MANAGER, ADMIN):
        return matters
    return matters.none()


# Fee terms and invoices are between the creditor and one firm: another firm's lawyer on
# the same matter (it changed hands) does not see them on the timeline.
FIRM_PRIVATE_EVENTS = (
    EventKind.FEE_ARRANGEMENT_SET,
    EventKind.INVOICE_SUBMITTED,
    EventKind.INVOICE_DECIDED,
    EventKind.INVOICE_PAID,
)


def visible_events(user: User, matter: Matter) -> QuerySet[MatterEvent]:
    """The entries of the matter's timeline the user may read (the matter itself already reached)."""
    events = matter.events.all()
    if user.role == LAWYER:
        events = events.filter(~Q(kind__in=FIRM_PRIVATE_EVENTS) | Q(new__firm_id=user.firm_id))
    return events


def access_matter(user: User, matter_id: int | str, *, action: str = "view", for_update: bool = False) -> Matter:
    """Return the matter if the user may see it, raising 404 if not and 403 if the role may not act."""
    matters = visible_matters(user)
    if for_update:
        matters = matters.select_for_update()
    try:
        matter = matters.get(pk=int(matter_id))
    except (Matter.DoesNotExist, ValueError, TypeError):
        raise Http404("matter not found") from None
    if not can(user, action):
        raise PermissionDenied(f"your role may not {action.replace('_', ' ')}")
    return matter


def visible_children(user: User, model: type[models.Model], rows: QuerySet | None = None) -> QuerySet:
    """The rows of ``model`` (a matter's child) that the user may see, out of ``rows`` (default: all).

    The model names its way to the matter in ``matter_path`` (``"matter"``,
    ``"assignment__matter"``) and is visible when that matter is (``visible_matters``).
    A model whose rule differs defines ``visible_to(rows, *, user, matters)`` instead
    (an outside firm's invoices stay its own after the assignment ended; a batch is its
    creator's and covers many matters); this module imports no other app, so the rule
    lives with the model.
    """
    rows = model._default_manager.all() if rows is None else rows
    matters = visible_matters(user)
    rule = getattr(model, "visible_to", None)
    if rule is not None:
        return rule(rows, user=user, matters=matters)
    return of_matters(rows, model.matter_path, matters)


def of_matters(rows: QuerySet, path: str, matters: QuerySet[Matter]) -> QuerySet:
    """``rows`` whose matter (reached by ``path``) is among ``matters``; unfiltered when that is every matter.

    Counsel see every matter: a list of all their invoices needs no subquery over the matters.
    """
    return rows.filter(**{f"{path}__in": matters}) if matters.query.has_filters() else rows


def access_child(
    user: User,
    model: type[models.Model],
    pk: int | str,
    *,
    action: str = "view",
    for_update: bool = False,
    rows: QuerySet | None = None,
):
    """Return the ``model`` row ``pk`` if the user may see it, raising 404 if not and 403 if the role may not act.

    A row that does not exist and one that is not the user's both answer 404. ``rows``
    narrows the search (current deadlines only) or loads related rows. With
    ``for_update`` (inside a transaction) the matter's row is locked first and then the
    child's, the order every writer of a matter follows, and the child carries the
    matter as it is under the lock.
    """
    try:
        pk = int(pk)
    except (ValueError, TypeError):
        raise Http404(f"{model._meta.model_name} not found") from None
    found = visible_children(user, model, rows).filter(pk=pk)
    path = getattr(model, "matter_path", None)
    if for_update:
        if path is not None:
            matter_id = found.values_list(path, flat=True).first()
            if matter_id is None:
                raise Http404(f"{model._meta.model_name} not found")
            list(Matter.objects.select_for_update().filter(pk=matter_id).values_list("pk"))
        found = found.select_for_update(of=("self",))
    if path is not None:
        found = found.select_related(path)
    child = found.first()
    if child is None:
        raise Http404(f"{model._meta.model_name} not found")
    if not can(user, action):
        raise PermissionDenied(f"your role may not {action.replace('_', ' ')}")
    return child


def require(user: User, action: str) -> None:
    """Raise 403 unless the role may take ``action``; for actions not tied to one matter."""
    if not can(user, action):
        raise PermissionDenied(f"your role may not {action.replace('_', ' ')}")


def access_job(user: User, job_id) -> Job:
    """A background job is seen only by the user who started it; anyone else gets 404."""
    if not user.is_authenticated:
        raise Http404("job not found")
    try:
        return Job.objects.get(pk=job_id, created_by=user)
    except (Job.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("job not found") from None
