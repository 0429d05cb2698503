"""Use cases, one module per subject; every public service is importable from here."""

from legalcase.services.deadlines import (  # noqa: F401
    AWARD_EFFECTIVE_RULE,
    CURRENT_FIELDS,
    EFFECTIVE_ON_SERVICE_RULE,
    ENGINE_KINDS,
    GUARANTEE_PERIOD_RULE,
    RECOMPUTE_BATCH,
    DeadlineChanges,
    MatterFacts,
    deadline_complete,
    deadline_override,
    deadlines_apply,
    deadlines_computed,
    deadlines_plan,
    deadlines_recompute_all,
    guarantee_period_computed,
    limitation_computed,
    matter_deadlines_recompute,
    matter_facts,
    ruling_deadlines_computed,
)
from legalcase.services.escalations import (  # noqa: F401
    OPTIONAL_DEBT_FIELDS,
    RATE_FIELDS,
    EscalationConflict,
    escalation_unchanged,
    matter_escalate,
)
from legalcase.services.matters import (  # noqa: F401
    BULK_ACTIONS,
    StageConflict,
    matter_assign_firm,
    matter_number_allocate,
    matter_open,
    matter_reveal_debtor,
    matter_set_forum,
    matter_set_owner,
    matter_transition,
    matter_unassign_firm,
    matters_bulk_apply,
    matters_bulk_start,
)
from legalcase.services.proceedings import (  # noqa: F401
    INTERRUPTING_FILING_VERBS,
    RULING_DEADLINE_KINDS,
    RULING_FIELDS,
    hearing_add,
    proceeding_record,
    ruling_confirm,
    ruling_record,
    service_record_add,
)
