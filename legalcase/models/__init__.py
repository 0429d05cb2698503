"""The core of Fasu, one module per subject; every model is importable from here."""

from legalcase.models.deadlines import (  # noqa: F401
    CalendarFeed,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DigestDelivery,
    Holiday,
    Notification,
    NotificationKind,
    holiday_calendar,
)
from legalcase.models.enforcement import (  # noqa: F401
    LAPSING_KINDS,
    Asset,
    Cost,
    EnforcementAction,
    Recovery,
    RecoverySource,
)
from legalcase.models.fees import FeeArrangement, FeeInvoice, FeePayment  # noqa: F401
from legalcase.models.matters import (  # noqa: F401
    ALLOWED_MOVES,
    MONEY,
    RATE,
    ApiToken,
    AppendOnly,
    AppendOnlyError,
    Assignment,
    AuditAction,
    AuditEvent,
    ClosingReason,
    Creditor,
    Debt,
    DemandChannel,
    DemandRecord,
    EventKind,
    Forum,
    ForumQuerySet,
    Guarantee,
    Job,
    JobStatus,
    LawFirm,
    LoginFailure,
    Matter,
    MatterEvent,
    MatterNumberCounter,
    MatterQuerySet,
    Party,
    Portfolio,
    Product,
    Role,
    Stage,
    User,
)
from legalcase.models.proceedings import (  # noqa: F401
    LIMITATION_INTERRUPTING_KINDS,
    PROCEEDING_STAGES,
    Hearing,
    Proceeding,
    Ruling,
    ServiceMethod,
    ServiceRecord,
)
from legalcase.models.schedule import ScheduledRun  # noqa: F401
from legalcase.models.settlements import DEFAULT_GRACE_DAYS, Instalment, Settlement  # noqa: F401
from legalcase.models.transfers import ClaimTransfer, PortfolioTransfer  # noqa: F401
