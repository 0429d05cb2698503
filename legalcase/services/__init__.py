"""Use cases, one module per subject; every public service is importable from here."""

from legalcase.services.deadlines import (  # noqa: F401
    GUARANTEE_PERIOD_RULE,
    deadline_complete,
    deadline_override,
    deadline_put,
    guarantee_period_computed,
    limitation_computed,
    matter_deadlines_recompute,
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
    AWARD_EFFECTIVE_RULE,
    EFFECTIVE_ON_SERVICE_RULE,
    INTERRUPTING_FILING_VERBS,
    RULING_DEADLINE_KINDS,
    RULING_FIELDS,
    hearing_add,
    proceeding_record,
    ruling_confirm,
    ruling_record,
    service_record_add,
)
