"""The demo's playbooks (a card and a loan one) and plans running on some early-stage matters.

Started on different days so that "my tasks" shows every bucket: some steps done, some
overdue, some due later; then the deadline job's tasks for deadlines due within the week.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from legalcase.models import Matter, Product, Stage, Task, TaskStatus, User
from legalcase.services.tasks import plan_start, playbook_create, task_update, tasks_from_deadlines

STEPS = [
    {"day": 1, "working_days": False, "action": "sms", "title": "短信提醒还款", "owner_role": "counsel"},
    {"day": 3, "working_days": True, "action": "phone", "title": "电话催收并记录结果", "owner_role": "counsel"},
    {"day": 10, "working_days": True, "action": "letter", "title": "寄送催收函", "owner_role": "counsel"},
    {"day": 30, "working_days": False, "action": "demand", "title": "发送律师函", "owner_role": "lawyer"},
    {"day": 60, "working_days": False, "action": "file_suit", "title": "评估并提起诉讼", "owner_role": "lawyer"},
]
PLAYBOOKS = (("信用卡标准催收流程", Product.CREDIT_CARD), ("个人贷款标准催收流程", Product.LOAN))
# How long ago the plans started: one well under way, one a fortnight in, one just begun.
STARTED_DAYS_AGO = (40, 14, 2)
PLANS_PER_PRODUCT = 6


def add_playbooks(*, users: dict[str, User]) -> dict[str, int]:
    counsel = users["counsel1"]
    today = timezone.localdate()
    plans = 0
    for name, product in PLAYBOOKS:
        playbook = playbook_create(user=counsel, data={"name": name, "product": product, "steps": STEPS})
        matters = (
            Matter.objects.filter(stage__in=[Stage.INTAKE, Stage.PRE_LITIGATION], debt__product=product, owner__isnull=False)
            .select_related("owner")
            .order_by("id")[:PLANS_PER_PRODUCT]
        )
        for index, matter in enumerate(matters):
            start_on = today - dt.timedelta(days=STARTED_DAYS_AGO[index % len(STARTED_DAYS_AGO)])
            plan = plan_start(user=matter.owner, matter_id=matter.pk, playbook_id=playbook.pk, start_on=start_on)
            plans += 1
            # The first two steps of a plan well under way were done; the letter was not.
            for task in plan.tasks.filter(due_on__lt=today - dt.timedelta(days=20), step__lt=2):
                task_update(user=matter.owner, task_id=task.pk, data={"status": TaskStatus.DONE})
    deadline_tasks = tasks_from_deadlines(today=today)["deadline_tasks"]
    return {"playbooks": len(PLAYBOOKS), "plans": plans, "tasks": Task.objects.count(), "deadline tasks": deadline_tasks}
