"""The core of Fasu, one module per subject; every model is importable from here."""

from legalcase.models.accounts import (  # noqa: F401
    ApiToken,
    AuditAction,
    AuditEvent,
    LawFirm,
    LoginFailure,
    LoginThrottle,
    Role,
    User,
    display_name,
)
from legalcase.models.base import AppendOnly, AppendOnlyError  # noqa: F401
from legalcase.models.dashboard import DashboardDay, DashboardSnapshot  # noqa: F401
from legalcase.models.collection import (  # noqa: F401
    CONDUCT_RULES,
    RULES_BY_ID,
    Complaint,
    ComplaintKind,
    ComplaintSource,
    ConductRule,
    Contact,
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    Promise,
    PromiseStatus,
    RuleLevel,
    ThirdPartyPurpose,
)
from legalcase.models.deadlines import (  # noqa: F401
    CalendarFeed,
    Deadline,
    COURT_KINDS,
    DeadlineKind,
    DeadlineStatus,
    DigestDelivery,
    Holiday,
    Notification,
    NotificationKind,
    holiday_calendar,
    holiday_calendar_held,
)
from legalcase.models.debts import (  # noqa: F401
    AmountStatement,
    Creditor,
    Debt,
    DemandAddressKind,
    DemandChannel,
    DemandCourier,
    DemandRecord,
    DemandTracking,
    Guarantee,
    Party,
    PartyPhone,
    Portfolio,
    Product,
    TrackingStatus,
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
from legalcase.models.jobs import BackgroundWork, Job, JobStatus  # noqa: F401
from legalcase.models.matters import (  # noqa: F401
    ALLOWED_MOVES,
    LICENCE_NUMBER_LENGTH,
    MATTER_ORDERINGS,
    MATTER_ORDERINGS_PENDING,
    MAX_ASSIGNMENT_LAWYERS,
    Assignment,
    AssignmentLawyer,
    ClosingReason,
    EventKind,
    Forum,
    ForumQuerySet,
    Matter,
    MatterCount,
    MatterEvent,
    MatterNumberCounter,
    MatterQuerySet,
    PendingOrdering,
    Stage,
    list_names,
    matter_ordering,
)
from legalcase.models.notices import (  # noqa: F401
    INHOUSE_SCOPE,
    CourtMailMessage,
    CourtNotice,
    CourtNoticeChannel,
    CourtNoticeKind,
    CourtNoticeStatus,
    SmsGateway,
    token_digest,
)
from legalcase.models.proceedings import (  # noqa: F401
    LIMITATION_INTERRUPTING_KINDS,
    PROCEEDING_STAGES,
    Hearing,
    Proceeding,
    Ruling,
    RulingParty,
    ServiceMethod,
    ServiceRecord,
)
from legalcase.models.rates import LprRate  # noqa: F401
from legalcase.models.retention import LegalHold  # noqa: F401
from legalcase.models.schedule import ScheduledRun  # noqa: F401
from legalcase.models.search import SearchKey, case_number_key  # noqa: E402,F401
from legalcase.models.settlements import DEFAULT_GRACE_DAYS, Instalment, Settlement  # noqa: F401
from legalcase.models.transfers import ClaimTransfer, PortfolioTransfer  # noqa: F401

# The column sizes, defined with the money rules; models and forms have long read them here.
from legalcase.money import MONEY, RATE  # noqa: F401
from legalcase.models.tasks import Plan, Playbook, PlaybookVersion, StepAction, Task, TaskStatus  # noqa: E402,F401
from legalcase.models.triage import (  # noqa: E402,F401
    SCREENING_ITEMS,
    SCREENING_LABELS,
    AbilityToPay,
    DebtorReview,
    Recommendation,
    Willingness,
)
from legalcase.models.scoring import MatterScore, RecoveryModel, ScoreKind  # noqa: E402,F401
