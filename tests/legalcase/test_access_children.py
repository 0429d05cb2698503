"""Every kind of a matter's child object is reached through one function, ``access_child``.

Another firm's object and a missing one answer 404, a role that may not act answers 403
(after the 404s, as for matters), and with ``for_update`` the object comes back with its
matter as it is under the lock. The evidence and filings apps' kinds are reached the same
way, through the attribute each model declares (``matter_path`` or ``visible_to``).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from filer.models import File as FilerFile

from evidence.models import EvidenceBundle, EvidenceItem
from legalcase.access import access_child, visible_children
from legalcase.models import (
    Assignment,
    Deadline,
    EnforcementAction,
    FeeInvoice,
    Hearing,
    Matter,
    Proceeding,
    Recovery,
    Role,
    Ruling,
    Settlement,
)
from templates_docx.models import Batch, BatchItem, DocumentTemplate, GeneratedDocument
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def _deadline(matter, user):
    return Deadline.objects.create(matter=matter, kind="appeal", due_on=TODAY, rule="appeal.judgment@2023")


def _proceeding(matter, user):
    return Proceeding.objects.create(matter=matter, kind="first_instance")


def _hearing(matter, user):
    proceeding = Proceeding.objects.create(matter=matter, kind="first_instance")
    return Hearing.objects.create(proceeding=proceeding, at=timezone.now())


def _ruling(matter, user):
    return Ruling.objects.create(matter=matter)


def _action(matter, user):
    return EnforcementAction.objects.create(matter=matter, kind="freeze_deposit", started_on=TODAY)


def _recovery(matter, user):
    return Recovery.objects.create(
        matter=matter,
        amount=Decimal("10.00"),
        received_on=TODAY,
        source="voluntary",
        allocated_costs=Decimal("0.00"),
        allocated_interest=Decimal("10.00"),
        allocated_principal=Decimal("0.00"),
    )


def _settlement(matter, user):
    return Settlement.objects.create(
        matter=matter, agreed_on=TODAY, outstanding_at_agreement=Decimal("100.00"), settlement_amount=Decimal("80.00")
    )


def _assignment(matter, user):
    return Assignment.objects.get(matter=matter, ended_at__isnull=True)


def _invoice(matter, user):
    assignment = Assignment.objects.get(matter=matter, ended_at__isnull=True)
    return FeeInvoice.objects.create(
        assignment=assignment, firm=assignment.firm, number="INV-1", amount=Decimal("50.00"), issued_on=TODAY
    )


def _evidence(matter, user):
    stored = FilerFile.objects.create(original_filename="合同.pdf", is_public=False)
    return EvidenceItem.objects.create(
        matter=matter,
        kind="contract",
        title="借款合同",
        original_filename="合同.pdf",
        file=stored,
        sha256="0" * 64,
        size=1,
        content_type="application/pdf",
        uploaded_by=user,
    )


def _bundle(matter, user):
    return EvidenceBundle.objects.create(matter=matter, title="证据材料", version=1, created_by=user)


def _document(matter, user):
    return GeneratedDocument.objects.create(matter=matter, template=DocumentTemplate.objects.first(), created_by=user)


def _batch(matter, user):
    batch = Batch.objects.create(template=DocumentTemplate.objects.first(), total=1, created_by=user)
    BatchItem.objects.create(batch=batch, matter=matter, position=1)
    return batch


KINDS = {
    Deadline: _deadline,
    Proceeding: _proceeding,
    Hearing: _hearing,
    Ruling: _ruling,
    EnforcementAction: _action,
    Recovery: _recovery,
    Settlement: _settlement,
    Assignment: _assignment,
    FeeInvoice: _invoice,
    EvidenceItem: _evidence,
    EvidenceBundle: _bundle,
    GeneratedDocument: _document,
    Batch: _batch,
}
KIND_IDS = [model.__name__ for model in KINDS]


@pytest.fixture
def world():
    """A matter assigned to firm A, one of its lawyers, and a lawyer of firm B."""
    firm, other_firm = make_firm(), make_firm()
    matter = make_matter(firm=firm)
    lawyer = make_user(Role.LAWYER, firm=firm)
    return {"matter": matter, "lawyer": lawyer, "other_lawyer": make_user(Role.LAWYER, firm=other_firm)}


@pytest.mark.parametrize("model", KINDS, ids=KIND_IDS)
def test_the_assigned_firm_reaches_the_object_and_its_matter(world, model):
    child = KINDS[model](world["matter"], world["lawyer"])

    found = access_child(world["lawyer"], model, child.pk)

    assert (type(found), found.pk) == (model, child.pk)
    assert found in visible_children(world["lawyer"], model)
    if model.matter_path is not None:
        matter = found
        for step in model.matter_path.split("__"):
            matter = getattr(matter, step)
        assert matter == world["matter"]


@pytest.mark.parametrize("model", KINDS, ids=KIND_IDS)
def test_another_firms_object_answers_404(world, model):
    child = KINDS[model](world["matter"], world["lawyer"])

    with pytest.raises(Http404):
        access_child(world["other_lawyer"], model, child.pk)
    with pytest.raises(Http404), transaction.atomic():
        access_child(world["other_lawyer"], model, child.pk, for_update=True)
    assert not visible_children(world["other_lawyer"], model).filter(pk=child.pk).exists()


@pytest.mark.parametrize("model", KINDS, ids=KIND_IDS)
@pytest.mark.parametrize("pk", [987654, "abc", None, ""])
def test_a_missing_object_answers_404(world, model, pk):
    KINDS[model](world["matter"], world["lawyer"])
    counsel = make_user(Role.COUNSEL)

    with pytest.raises(Http404):
        access_child(counsel, model, pk)


@pytest.mark.parametrize("model", KINDS, ids=KIND_IDS)
def test_a_role_that_may_not_act_answers_403_and_an_unseen_object_404_first(world, model):
    child = KINDS[model](world["matter"], world["lawyer"])

    # Lawyers may not record recoveries (API.md, "Roles").
    with pytest.raises(PermissionDenied):
        access_child(world["lawyer"], model, child.pk, action="write_recoveries")
    with pytest.raises(Http404):
        access_child(world["other_lawyer"], model, child.pk, action="write_recoveries")


@pytest.mark.parametrize("model", KINDS, ids=KIND_IDS)
def test_for_update_returns_the_object_with_its_matter(world, model):
    child = KINDS[model](world["matter"], world["lawyer"])
    admin = make_user(Role.ADMIN)
    Matter.objects.filter(pk=world["matter"].pk).update(debtor_name="改名后")

    with transaction.atomic():
        found = access_child(admin, model, child.pk, action="write_recoveries", for_update=True)

    assert found.pk == child.pk
    if model.matter_path is not None:
        matter = found
        for step in model.matter_path.split("__"):
            matter = getattr(matter, step)
        assert (matter.pk, matter.debtor_name) == (world["matter"].pk, "改名后")


def test_an_inactive_or_anonymous_user_reaches_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    children = {model: make(world["matter"], world["lawyer"]) for model, make in KINDS.items()}
    world["lawyer"].is_active = False
    world["lawyer"].save(update_fields=["is_active"])
    for model, child in children.items():
        for user in (world["lawyer"], AnonymousUser()):
            with pytest.raises(Http404):
                access_child(user, model, child.pk)


def test_after_the_assignment_ended_the_firm_keeps_its_money_but_not_the_matter(world):
    """A firm invoices its work after the handover; the matter's other objects go with the matter."""
    invoice = _invoice(world["matter"], world["lawyer"])
    proceeding = _proceeding(world["matter"], world["lawyer"])
    Assignment.objects.filter(pk=invoice.assignment_id).update(ended_at=timezone.now())
    Matter.objects.filter(pk=world["matter"].pk).update(assigned_firm=None)

    assert access_child(world["lawyer"], Assignment, invoice.assignment_id).pk == invoice.assignment_id
    assert access_child(world["lawyer"], FeeInvoice, invoice.pk).pk == invoice.pk
    with pytest.raises(Http404):
        access_child(world["lawyer"], Proceeding, proceeding.pk)
    with pytest.raises(Http404):
        access_child(world["other_lawyer"], FeeInvoice, invoice.pk)


def test_a_batch_is_its_creators_while_every_one_of_its_matters_is_visible(world):
    batch = _batch(world["matter"], world["lawyer"])
    colleague = make_user(Role.LAWYER, firm=world["lawyer"].firm)

    # Another user of the same firm sees the matter, not the batch; an administrator sees it.
    with pytest.raises(Http404):
        access_child(colleague, Batch, batch.pk)
    assert access_child(make_user(Role.ADMIN), Batch, batch.pk).pk == batch.pk
    # A matter of the batch leaves the firm: the batch goes with it.
    BatchItem.objects.create(batch=batch, matter=make_matter(firm=make_firm()), position=2)
    with pytest.raises(Http404):
        access_child(world["lawyer"], Batch, batch.pk)


def test_rows_narrow_the_search(world):
    """The deadline services reach current deadlines only: a superseded one answers 404."""
    deadline = _deadline(world["matter"], world["lawyer"])
    current = Deadline.objects.filter(superseded_at__isnull=True)
    assert access_child(world["lawyer"], Deadline, deadline.pk, rows=current).pk == deadline.pk

    Deadline.objects.filter(pk=deadline.pk).update(superseded_at=timezone.now())

    with pytest.raises(Http404):
        access_child(world["lawyer"], Deadline, deadline.pk, rows=current)
