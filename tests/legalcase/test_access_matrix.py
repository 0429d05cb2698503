"""Every role against every matter endpoint, generated from API.md's roles table.

ROLES_TABLE below is API.md's "Roles" table, cell for cell. The matrix derives each
expected status from it: a matter the role does not see answers 404, an action the
role may not take on a matter it sees answers 403, and a refusal changes nothing.
"""

import copy

import pytest
from rest_framework.test import APIClient

from legalcase.access import PERMISSIONS
from legalcase.models import MatterEvent, Role
from tests.factories import make_firm, make_matter, make_user
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db

ROLES = ("counsel", "lawyer", "manager", "admin")

# API.md, "Roles": | | counsel (in-house) | lawyer (outside firm) | manager (asset manager) | admin |
ROLES_TABLE: dict[str, dict[str, str]] = {
    "sees": {
        "counsel": "every matter",
        "lawyer": "only matters currently assigned to their firm",
        "manager": "every matter",
        "admin": "everything",
    },
    "escalate, import": {"counsel": "yes", "lawyer": "no", "manager": "no", "admin": "yes"},
    "assign / unassign firms, set owner": {"counsel": "yes", "lawyer": "no", "manager": "no", "admin": "yes"},
    "move stages": {"counsel": "yes", "lawyer": "assigned matters", "manager": "no", "admin": "yes"},
    "evidence, bundles, filings, batches": {
        "counsel": "yes",
        "lawyer": "assigned matters",
        "manager": "read",
        "admin": "yes",
    },
    "proceedings, rulings, confirm rulings": {
        "counsel": "yes",
        "lawyer": "assigned matters",
        "manager": "read",
        "admin": "yes",
    },
    "enforcement actions, renewals": {"counsel": "yes", "lawyer": "assigned matters", "manager": "yes", "admin": "yes"},
    "recoveries, reversals, costs": {"counsel": "yes", "lawyer": "no", "manager": "yes", "admin": "yes"},
    "reveal a debtor": {"counsel": "yes", "lawyer": "assigned matters", "manager": "no", "admin": "yes"},
    "templates (upload, activate)": {"counsel": "no", "lawyer": "no", "manager": "no", "admin": "yes"},
}
# Rows Fasu adds beyond API.md's table (issue 9; README "Roles beyond API.md"). A lawyer's
# "own firm" invoices are their firm's assignments, current or ended.
ROLES_TABLE |= {
    "settlements, reductions": {"counsel": "yes", "lawyer": "no", "manager": "yes", "admin": "yes"},
    "portfolios, transfers": {"counsel": "yes", "lawyer": "no", "manager": "yes", "admin": "yes"},
    "fee arrangements": {"counsel": "yes", "lawyer": "no", "manager": "no", "admin": "yes"},
    "submit invoices": {"counsel": "no", "lawyer": "own firm", "manager": "no", "admin": "yes"},
    "approve, reject, pay invoices": {"counsel": "yes", "lawyer": "no", "manager": "no", "admin": "yes"},
    "see fees and invoices": {"counsel": "yes", "lawyer": "own firm", "manager": "yes", "admin": "yes"},
    "dashboard": {"counsel": "yes", "lawyer": "no", "manager": "yes", "admin": "yes"},
    # LEGAL_RULES B.6: counsel includes the 受理费 in a matter's 迟延履行 base.
    "迟延履行 base": {"counsel": "yes", "lawyer": "no", "manager": "no", "admin": "yes"},
    # LEGAL_RULES B.9: counsel sets and lifts a matter's legal hold (issue 21).
    "legal hold": {"counsel": "yes", "lawyer": "no", "manager": "no", "admin": "yes"},
}
# API.md, "Added in v1.1" (the rows this branch implements), and the sentence under it.
ROLES_TABLE |= {
    "debt terms, amounts, parties, guarantees": {
        "counsel": "yes",
        "lawyer": "assigned matters",
        "manager": "read",
        "admin": "yes",
    },
    "assignment's lawyers; firm address": {"counsel": "yes", "lawyer": "own firm", "manager": "no", "admin": "yes"},
    "contacts, demands, complaints, reviews, tasks, apply playbooks": {
        "counsel": "yes",
        "lawyer": "assigned matters",
        "manager": "yes",
        "admin": "yes",
    },
    "creditor details, forums, playbooks; override conduct rules; resolve complaints": {
        "counsel": "yes",
        "lawyer": "no",
        "manager": "no",
        "admin": "yes",
    },
    "Only counsel and admins correct an `id_number`.": {
        "counsel": "yes",
        "lawyer": "no",
        "manager": "no",
        "admin": "yes",
    },
}
# API.md v1.1: the collection desk.
ROLES_TABLE |= {
    "contacts, demands, complaints, reviews, tasks, apply playbooks": {
        "counsel": "yes",
        "lawyer": "assigned matters",
        "manager": "yes",
        "admin": "yes",
    },
}
# API.md v1.1, the second table.
ROLES_TABLE |= {
    "contacts, demands, complaints, reviews, tasks, apply playbooks": {
        "counsel": "yes",
        "lawyer": "assigned matters",
        "manager": "yes",
        "admin": "yes",
    },
    "LPR rows, audit log": {"counsel": "no", "lawyer": "no", "manager": "no", "admin": "yes"},
}
# API.md v1.1, the second table: court notices (issue 20).
ROLES_TABLE |= {
    "court notices (post, confirm)": {"counsel": "yes", "lawyer": "own, assigned", "manager": "read", "admin": "yes"},
}
# API.md's table "Added in v1.1" (the rows built so far).
ROLES_TABLE |= {
    "creditor details, forums, playbooks; override conduct rules; resolve complaints": {
        "counsel": "yes",
        "lawyer": "no",
        "manager": "no",
        "admin": "yes",
    },
}
# API.md, under the table.
OPEN_TO_EVERY_SIGNED_IN_USER = "Calculators, the template list and the firm list are open to every signed-in user."

# The table's row each PERMISSIONS action implements.
PERMISSION_ROWS = {
    "view": "sees",
    "escalate": "escalate, import",
    "assign": "assign / unassign firms, set owner",
    "set_owner": "assign / unassign firms, set owner",
    "move_stage": "move stages",
    "write_evidence": "evidence, bundles, filings, batches",
    "write_filings": "evidence, bundles, filings, batches",
    "write_proceedings": "proceedings, rulings, confirm rulings",
    "set_forum": "proceedings, rulings, confirm rulings",
    "write_settlements": "settlements, reductions",
    "transfer_claims": "portfolios, transfers",
    "set_fees": "fee arrangements",
    "submit_invoices": "submit invoices",
    "decide_invoices": "approve, reject, pay invoices",
    "pay_invoices": "approve, reject, pay invoices",
    "view_fees": "see fees and invoices",
    "view_dashboard": "dashboard",
    "write_enforcement": "enforcement actions, renewals",
    "write_recoveries": "recoveries, reversals, costs",
    "reveal": "reveal a debtor",
    "manage_templates": "templates (upload, activate)",
    "write_record": "debt terms, amounts, parties, guarantees",
    "set_lawyers": "assignment's lawyers; firm address",
    "correct_firm": "assignment's lawyers; firm address",
    "correct_creditor": "creditor details, forums, playbooks; override conduct rules; resolve complaints",
    "correct_identity": "Only counsel and admins correct an `id_number`.",
    "view_audit_log": "LPR rows, audit log",
    "write_lpr": "LPR rows, audit log",
    "set_delay_base": "迟延履行 base",
    "write_demands": "contacts, demands, complaints, reviews, tasks, apply playbooks",
    "set_legal_hold": "legal hold",
    "manage_forums": "creditor details, forums, playbooks; override conduct rules; resolve complaints",
    "write_court_notices": "court notices (post, confirm)",
    "write_contacts": "contacts, demands, complaints, reviews, tasks, apply playbooks",
    "override_conduct": "creditor details, forums, playbooks; override conduct rules; resolve complaints",
    "resolve_complaints": "creditor details, forums, playbooks; override conduct rules; resolve complaints",
    "write_tasks": "contacts, demands, complaints, reviews, tasks, apply playbooks",
    "write_reviews": "contacts, demands, complaints, reviews, tasks, apply playbooks",
    "manage_playbooks": "creditor details, forums, playbooks; override conduct rules; resolve complaints",
}


def allowed(cell: str) -> bool:
    """Whether a cell lets the role act (on the matters it sees); "read" is not writing."""
    return cell not in ("no", "read")


def sees(role: str, matter_key: str) -> bool:
    cell = ROLES_TABLE["sees"][role]
    if cell == "only matters currently assigned to their firm":
        return matter_key == "own firm's"
    assert cell in ("every matter", "everything")
    return True


# endpoint: (method, path under /api/v1/matters/{id}, request body, the table's row)
ENDPOINTS = {
    "list": ("get", None, None, "sees"),
    "detail": ("get", "", None, "sees"),
    "events": ("get", "events/", None, "sees"),
    "transition": ("post", "transition/", {"to": "pre_litigation", "note": "材料齐备"}, "move stages"),
    "assignment POST": ("post", "assignment/", "new firm", "assign / unassign firms, set owner"),
    "assignment DELETE": ("delete", "assignment/", None, "assign / unassign firms, set owner"),
    "owner": ("post", "owner/", "new owner", "assign / unassign firms, set owner"),
    "debtor reveal": ("get", "debtor/?purpose=matrix", None, "reveal a debtor"),
    "firms": ("get", None, None, OPEN_TO_EVERY_SIGNED_IN_USER),
    "documents POST": ("post", "documents/", {"template": "evidence_list"}, "evidence, bundles, filings, batches"),
    "documents check": ("get", "documents/check/?template=evidence_list", None, "sees"),
    "filing details PATCH": ("patch", "filing-details/", {"contract_place": "上海市浦东新区"}, "evidence, bundles, filings, batches"),
    "proceedings POST": ("post", "proceedings/", {"kind": "first_instance"}, "proceedings, rulings, confirm rulings"),
    "debt PATCH": ("patch", "debt/", {"branch": "某某银行朝阳支行"}, "debt terms, amounts, parties, guarantees"),
    "legal hold GET": ("get", "legal-hold/", None, "sees"),
    "legal hold POST": ("post", "legal-hold/", {"reason": "债务人已申请再审"}, "legal hold"),
    "amounts POST": (
        "post",
        "amounts/",
        {"as_of": "2025-07-31", "principal": "48230.55", "interest": "3500.00"},
        "debt terms, amounts, parties, guarantees",
    ),
    "demands POST": (
        "post",
        "demands/",
        {"date": "2026-03-02", "channel": "phone", "note": "电话催收"},
        "contacts, demands, complaints, reviews, tasks, apply playbooks",
    ),
    "demands": ("get", "demands/", None, "sees"),
    # An inbound contact passes every conduct rule, so the role alone decides.
    "contacts POST": (
        "post",
        "contacts/",
        {"channel": "other", "direction": "inbound", "occurred_at": "2026-01-05T10:00:00+08:00", "outcome": "other",
         "third_party": {"name": "李娜", "relation": "同事", "purpose": "locate"}},
        "contacts, demands, complaints, reviews, tasks, apply playbooks",
    ),
}
# Answers of an allowed action other than 200.
ACCEPTED = {"documents POST": 202, "proceedings POST": 201, "amounts POST": 201, "demands POST": 201, "contacts POST": 201}
MATTERS = ("own firm's", "other firm's", "unassigned")


def expected_status(role: str, endpoint: str, matter_key: str) -> int:
    row = ENDPOINTS[endpoint][3]
    if endpoint in ("list", "firms"):
        return 200
    if not sees(role, matter_key):
        return 404
    return ACCEPTED.get(endpoint, 200) if row == "sees" or allowed(ROLES_TABLE[row][role]) else 403


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The firms, users and matters, made once for the module's cases (tests/shared_rows.py):
    what a case changes is rolled back after it."""
    with shared_rows(django_db_blocker, "access matrix world"):
        yield _world()


@pytest.fixture
def world(shared_world):
    return copy.deepcopy(shared_world)


def _world() -> dict:
    own_firm, other_firm = make_firm("本所"), make_firm("他所")
    users = {
        "counsel": make_user(Role.COUNSEL),
        "lawyer": make_user(Role.LAWYER, firm=own_firm),
        "manager": make_user(Role.MANAGER),
        "admin": make_user(Role.ADMIN),
    }
    first_owner = make_user(Role.COUNSEL)
    matters = {
        "own firm's": make_matter(firm=own_firm, owner=first_owner),
        "other firm's": make_matter(firm=other_firm, owner=first_owner),
        "unassigned": make_matter(owner=first_owner),
    }
    return {"users": users, "matters": matters, "new firm": make_firm("新所"), "new owner": make_user(Role.COUNSEL)}


def snapshot(matter) -> tuple:
    matter.refresh_from_db()
    return matter.stage, matter.assigned_firm_id, matter.owner_id, MatterEvent.objects.filter(matter=matter).count()


@pytest.mark.parametrize("matter_key", MATTERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, role, endpoint, matter_key):
    method, path, body, row = ENDPOINTS[endpoint]
    matter = world["matters"][matter_key]
    if body == "new firm":
        body = {"firm": world["new firm"].pk}
    elif body == "new owner":
        body = {"owner": world["new owner"].pk}
    url = "/api/v1/firms/" if endpoint == "firms" else "/api/v1/matters/"
    if path is not None:
        url += f"{matter.pk}/{path}"
    client = APIClient()
    client.force_authenticate(world["users"][role])
    before = snapshot(matter)

    response = getattr(client, method)(url, body, format="json")

    expected = expected_status(role, endpoint, matter_key)
    assert response.status_code == expected, response.content
    if endpoint == "list":
        listed = {item["id"] for item in response.json()["results"]}
        assert (matter.pk in listed) == sees(role, matter_key)
    stage, firm_id, owner_id, events = snapshot(matter)
    if expected not in (200, 201, 202):
        assert (stage, firm_id, owner_id, events) == before
        assert "detail" in response.json()
    elif endpoint in ("list", "detail", "events", "firms", "documents check", "demands", "legal hold GET"):
        assert (stage, firm_id, owner_id, events) == before
    else:
        assert {
            "transition": stage == "pre_litigation",
            "assignment POST": firm_id == world["new firm"].pk,
            "assignment DELETE": firm_id is None,
            "owner": owner_id == world["new owner"].pk,
            "debtor reveal": events == before[3] + 1,
            "documents POST": events == before[3] + 1,
            "proceedings POST": events == before[3] + 1,
            "debt PATCH": events == before[3] + 1,
            "amounts POST": events == before[3] + 1,
            "filing details PATCH": events == before[3] + 1,
            "demands POST": events == before[3] + 1,
            "legal hold POST": events == before[3] + 1,
            "contacts POST": events == before[3] + 1,
        }[endpoint]


def test_a_lawyer_sees_only_what_the_table_says():
    assert sees("lawyer", "own firm's") and not sees("lawyer", "other firm's") and not sees("lawyer", "unassigned")


@pytest.mark.parametrize("action", PERMISSIONS)
def test_permissions_agree_with_the_roles_table(action):
    row = ROLES_TABLE[PERMISSION_ROWS[action]]

    assert PERMISSIONS[action] == {role for role in ROLES if allowed(row[role])}


def test_every_row_of_the_table_has_a_permission():
    assert set(PERMISSION_ROWS.values()) == set(ROLES_TABLE)
    assert set(PERMISSION_ROWS) == set(PERMISSIONS)
