"""Bulk actions from the matter list, and the job page that follows them."""

import pytest
from django.urls import reverse

from legalcase import forms
from legalcase.jobs import job_run
from legalcase.models import Job, JobStatus, Role, Stage
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def bulk(client, user, **data):
    client.force_login(user)
    return client.post(reverse("matter_bulk"), data)


def test_ticking_three_matters_starts_a_job_with_the_right_payload(client):
    counsel = make_user(Role.COUNSEL)
    firm = make_firm()
    ticked = [make_matter(), make_matter(), make_matter()]
    untouched = make_matter()
    ids = [matter.pk for matter in ticked]

    response = bulk(client, counsel, action="assign_firm", bulk_firm=firm.pk, scope="selected", matters=ids)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.kind == "matters_bulk"
    assert job.created_by == counsel
    assert job.payload == {"user_id": counsel.pk, "action": "assign_firm", "matter_ids": ids, "firm_id": firm.pk}
    assert job.progress_total == 3

    job_run(job_id=job.pk)

    for matter in ticked:
        matter.refresh_from_db()
        assert matter.assigned_firm == firm
    untouched.refresh_from_db()
    assert untouched.assigned_firm is None


def test_a_bulk_stage_move_runs_and_the_job_page_lists_the_refused_matters(client):
    counsel = make_user(Role.COUNSEL)
    movable = make_matter()
    stuck = make_matter(stage=Stage.ARBITRATION)
    bulk(client, counsel, action="move_stage", bulk_to="pre_litigation", scope="selected", matters=[movable.pk, stuck.pk])
    job = Job.objects.get()
    assert job.payload["to"] == "pre_litigation" and "reason" not in job.payload

    job_run(job_id=job.pk)

    movable.refresh_from_db()
    stuck.refresh_from_db()
    assert movable.stage == Stage.PRE_LITIGATION
    assert stuck.stage == Stage.ARBITRATION
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "已完成" in html
    assert stuck.number in html
    assert "处于“仲裁”阶段的案件不能变更为“诉前”。" in html
    assert reverse("matter_list") in html
    assert "hx-trigger" not in html  # finished: no more polling


def test_a_bulk_close_needs_a_reason_and_carries_it(client):
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    response = bulk(client, counsel, action="move_stage", bulk_to="closed", scope="selected", matters=[matter.pk])
    assert response["Location"].startswith(reverse("matter_list"))
    assert not Job.objects.exists()

    bulk(client, counsel, action="move_stage", bulk_to="closed", bulk_reason="written_off", scope="selected", matters=[matter.pk])
    job = Job.objects.get()
    assert job.payload["reason"] == "written_off"
    job_run(job_id=job.pk)
    matter.refresh_from_db()
    assert matter.stage == Stage.CLOSED and matter.closing_reason == "written_off"


def test_bulk_set_owner_and_end_assignment(client):
    counsel, owner = make_user(Role.COUNSEL), make_user(Role.COUNSEL)
    firm = make_firm()
    matters = [make_matter(firm=firm), make_matter(firm=firm)]
    ids = [matter.pk for matter in matters]

    bulk(client, counsel, action="set_owner", bulk_owner=owner.pk, scope="selected", matters=ids)
    job_run(job_id=Job.objects.latest("created_at").pk)
    bulk(client, counsel, action="unassign_firm", scope="selected", matters=ids)
    job_run(job_id=Job.objects.latest("created_at").pk)

    for matter in matters:
        matter.refresh_from_db()
        assert matter.owner == owner
        assert matter.assigned_firm is None


def test_all_matters_matching_the_filter_are_taken_when_asked(client):
    counsel = make_user(Role.COUNSEL)
    loans = [make_matter(product="loan"), make_matter(product="loan")]
    make_matter(product="credit_card")
    response = bulk(client, counsel, action="move_stage", bulk_to="litigation", scope="all", product="loan")
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert sorted(job.payload["matter_ids"]) == sorted(matter.pk for matter in loans)


def test_all_matching_is_capped_with_a_message(client, monkeypatch):
    monkeypatch.setattr("legalcase.views.matters.BULK_LIMIT", 2)
    counsel = make_user(Role.COUNSEL)
    matters = [make_matter() for _ in range(3)]
    response = bulk(client, counsel, action="move_stage", bulk_to="litigation", scope="all")
    job = Job.objects.get()
    assert job.payload["matter_ids"] == [matters[2].pk, matters[1].pk]  # the newest
    response = client.get(response["Location"])
    assert any("本次只处理最新的 2 件" in str(message) for message in response.context["messages"])


def test_nothing_ticked_is_refused_with_a_message(client):
    make_matter()
    response = bulk(client, make_user(), action="unassign_firm", scope="selected")
    assert response.status_code == 302
    assert not Job.objects.exists()
    response = client.get(response["Location"])
    assert "请至少勾选一件案件。" in response.content.decode()


def test_a_lawyer_cannot_take_a_bulk_action_outside_their_role_or_firm(client):
    firm = make_firm()
    ours, theirs = make_matter(firm=firm), make_matter(firm=make_firm())
    lawyer = make_user(Role.LAWYER, firm=firm)

    response = bulk(client, lawyer, action="assign_firm", bulk_firm=firm.pk, scope="selected", matters=[ours.pk])
    assert response.status_code == 403  # not one of the lawyer's actions
    assert not Job.objects.exists()

    bulk(client, lawyer, action="move_stage", bulk_to="litigation", scope="selected", matters=[ours.pk, theirs.pk])
    assert Job.objects.get().payload["matter_ids"] == [ours.pk]


def test_a_manager_has_no_bulk_action(client):
    matter = make_matter()
    response = bulk(client, make_user(Role.MANAGER), action="move_stage", bulk_to="litigation", scope="selected", matters=[matter.pk])
    assert response.status_code == 403
    assert "您的角色无权执行此操作。" in response.content.decode()
    assert not Job.objects.exists()


def test_the_job_page_polls_while_the_job_runs(client):
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    bulk(client, counsel, action="move_stage", bulk_to="litigation", scope="selected", matters=[matter.pk])
    job = Job.objects.get()
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "排队中" in html
    assert "变更为“诉讼”阶段" in html

    partial = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="job-status"')
    assert "<html" not in partial

    job_run(job_id=job.pk)
    partial = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial
    assert Job.objects.get().status == JobStatus.DONE


def test_a_job_page_is_visible_only_to_its_creator(client):
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    bulk(client, counsel, action="move_stage", bulk_to="litigation", scope="selected", matters=[matter.pk])
    job = Job.objects.get()
    client.force_login(make_user(Role.COUNSEL))
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    client.force_login(make_user(Role.ADMIN))
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404


def test_the_bulk_limit_is_ten_thousand():
    assert forms.BULK_LIMIT == 10_000
