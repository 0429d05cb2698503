"""Use cases, one module per subject; every public service is importable from here."""

from legalcase.services.matters import (  # noqa: F401
    StageConflict,
    matter_number_allocate,
    matter_open,
    matter_transition,
    matter_assign_firm,
    matter_unassign_firm,
    matter_set_owner,
    matter_reveal_debtor,
    matters_bulk_apply,
    matters_bulk_start,
    matter_set_forum,
    BULK_ACTIONS,
)

from legalcase.services.escalations import (  # noqa: F401
    EscalationConflict,
    escalation_unchanged,
    matter_escalate,
    OPTIONAL_DEBT_FIELDS,
    RATE_FIELDS,
)

from legalcase.services.deadlines import (  # noqa: F401
    matter_deadlines_recompute,
    limitation_computed,
    guarantee_period_computed,
    deadline_put,
    deadline_complete,
    GUARANTEE_PERIOD_RULE,
)

from legalcase.services.proceedings import (  # noqa: F401
    proceeding_record,
    service_record_add,
    hearing_add,
    ruling_record,
    ruling_confirm,
    INTERRUPTING_FILING_VERBS,
    RULING_FIELDS,
    RULING_DEADLINE_KINDS,
    EFFECTIVE_ON_SERVICE_RULE,
    AWARD_EFFECTIVE_RULE,
)
