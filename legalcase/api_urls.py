"""API v1 (API.md), mounted at /api/v1/ by config/urls.py."""

from django.urls import path

from legalcase import api
from legalcase.api import collection as collection_api
from legalcase.api import dashboard as dashboard_api
from legalcase.api import demands as demand_api
from legalcase.api import enforcement as enforcement_api
from legalcase.api import fees as fees_api
from legalcase.api import record as record_api
from legalcase.api import interest as interest_api
from legalcase.api import recoveries as recovery_api
from legalcase.api import retention as retention_api
from legalcase.api import settlements as settlement_api
from legalcase.api import tasks as tasks_api
from legalcase.api import timeline as timeline_api
from legalcase.api import transfers as transfer_api
from legalcase.api import triage as triage_api
from legalcase.api import worklists as worklist_api

app_name = "api"

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("matters/", api.MatterListView.as_view(), name="matter-list"),
    path("matters/export.xlsx", api.MatterExportView.as_view(), name="matter-export"),
    path("matters/<int:matter_id>/", api.MatterDetailView.as_view(), name="matter-detail"),
    path("matters/<int:matter_id>/transition/", api.MatterTransitionView.as_view(), name="matter-transition"),
    path(
        "matters/<int:matter_id>/assignment/",
        record_api.MatterAssignmentLawyersView.as_view(),
        name="matter-assignment",
    ),
    path("matters/<int:matter_id>/owner/", api.MatterOwnerView.as_view(), name="matter-owner"),
    path("matters/<int:matter_id>/debtor/", api.MatterDebtorView.as_view(), name="matter-debtor"),
    path("escalations/", api.EscalationView.as_view(), name="escalations"),
    path("deadlines/", api.DeadlineListView.as_view(), name="deadline-list"),
    path("deadlines/<int:deadline_id>/complete/", api.DeadlineCompleteView.as_view(), name="deadline-complete"),
    path("deadlines/<int:deadline_id>/override/", api.DeadlineOverrideView.as_view(), name="deadline-override"),
    path("firms/", api.FirmListView.as_view(), name="firm-list"),
    # Playbooks, plans and tasks (api/tasks.py)
    path("playbooks/", tasks_api.PlaybookListView.as_view(), name="playbook-list"),
    path("playbooks/<int:playbook_id>/", tasks_api.PlaybookDetailView.as_view(), name="playbook-detail"),
    path("matters/<int:matter_id>/playbook/", tasks_api.MatterPlaybookView.as_view(), name="matter-playbook"),
    path("tasks/", tasks_api.TaskListView.as_view(), name="task-list"),
    path("tasks/<int:task_id>/", tasks_api.TaskDetailView.as_view(), name="task-detail"),
    # The debtor review and the pre-suit screening (api/triage.py)
    path("matters/<int:matter_id>/review/", triage_api.MatterReviewView.as_view(), name="matter-review"),
    path("worklists/", worklist_api.WorklistView.as_view(), name="worklist"),
    path("calculators/court-fees/", api.CourtFeesView.as_view(), name="calculator-court-fees"),
    # The interest calculator and the LPR table (api/interest.py)
    path("calculators/interest/", interest_api.InterestView.as_view(), name="calculator-interest"),
    path("lpr/", interest_api.LprListView.as_view(), name="lpr-list"),
    path("jobs/<uuid:job_id>/", api.JobView.as_view(), name="job-detail"),
    # Demands and their courier tracking (api/demands.py)
    path("matters/<int:matter_id>/demands/", demand_api.MatterDemandsView.as_view(), name="matter-demands"),
    path("demands/tracking-imports/", demand_api.TrackingImportView.as_view(), name="demand-tracking-imports"),
    path("demands/<int:demand_id>/", demand_api.DemandDetailView.as_view(), name="demand-detail"),
    path("demands/<int:demand_id>/tracking/", demand_api.DemandTrackingView.as_view(), name="demand-tracking"),
    path("forums/", api.ForumListView.as_view(), name="forum-list"),
    path("forums/<int:forum_id>/", api.ForumDetailView.as_view(), name="forum-detail"),
    path("matters/<int:matter_id>/forum/", api.MatterForumView.as_view(), name="matter-forum"),
    path("matters/<int:matter_id>/proceedings/", api.MatterProceedingsView.as_view(), name="matter-proceedings"),
    path("proceedings/<int:proceeding_id>/", api.ProceedingDetailView.as_view(), name="proceeding-detail"),
    path("proceedings/<int:proceeding_id>/service/", api.ProceedingServiceView.as_view(), name="proceeding-service"),
    path("proceedings/<int:proceeding_id>/hearings/", api.ProceedingHearingsView.as_view(), name="proceeding-hearings"),
    path("hearings/<int:hearing_id>/", api.HearingDetailView.as_view(), name="hearing-detail"),
    path("calendar-feed/", api.CalendarFeedView.as_view(), name="calendar-feed"),
    path("rulings/<int:ruling_id>/confirm/", api.RulingConfirmView.as_view(), name="ruling-confirm"),
    # Assets and enforcement actions (api/enforcement.py)
    path("matters/<int:matter_id>/assets/", enforcement_api.MatterAssetsView.as_view(), name="matter-assets"),
    path(
        "matters/<int:matter_id>/enforcement-actions/",
        enforcement_api.MatterEnforcementActionsView.as_view(),
        name="matter-enforcement-actions",
    ),
    path(
        "enforcement-actions/<int:action_id>/renew/",
        enforcement_api.EnforcementActionRenewView.as_view(),
        name="enforcement-action-renew",
    ),
    # The collection desk (api/collection.py)
    path("matters/<int:matter_id>/contacts/", collection_api.MatterContactsView.as_view(), name="matter-contacts"),
    path(
        "matters/<int:matter_id>/contacts/check/", collection_api.ContactCheckView.as_view(), name="matter-contacts-check"
    ),
    path("conduct-rules/", collection_api.ConductRulesView.as_view(), name="conduct-rules"),
    path(
        "matters/<int:matter_id>/complaints/", collection_api.MatterComplaintsView.as_view(), name="matter-complaints"
    ),
    path(
        "complaints/<int:complaint_id>/resolve/", collection_api.ComplaintResolveView.as_view(), name="complaint-resolve"
    ),
    path("matters/<int:matter_id>/promises/", collection_api.MatterPromisesView.as_view(), name="matter-promises"),
    # Recoveries and costs (api/recoveries.py)
    path("matters/<int:matter_id>/recoveries/", recovery_api.MatterRecoveriesView.as_view(), name="matter-recoveries"),
    path("recoveries/<int:recovery_id>/reverse/", recovery_api.RecoveryReverseView.as_view(), name="recovery-reverse"),
    path("matters/<int:matter_id>/costs/", recovery_api.MatterCostsView.as_view(), name="matter-costs"),
    # Settlements (api/settlements.py)
    # SETTLEMENTS-API
    path(
        "matters/<int:matter_id>/settlements/",
        settlement_api.MatterSettlementsView.as_view(),
        name="matter-settlements",
    ),
    path("settlements/<int:settlement_id>/", settlement_api.SettlementDetailView.as_view(), name="settlement-detail"),
    path(
        "settlements/<int:settlement_id>/cancel/",
        settlement_api.SettlementCancelView.as_view(),
        name="settlement-cancel",
    ),
    # Portfolios and transfers (api/transfers.py)
    # TRANSFERS-API
    path("portfolios/", transfer_api.PortfolioListView.as_view(), name="portfolio-list"),
    path("portfolios/<int:portfolio_id>/", transfer_api.PortfolioDetailView.as_view(), name="portfolio-detail"),
    path(
        "portfolios/<int:portfolio_id>/matters/",
        transfer_api.PortfolioMattersView.as_view(),
        name="portfolio-matters",
    ),
    path(
        "portfolios/<int:portfolio_id>/transfers/",
        transfer_api.PortfolioTransfersView.as_view(),
        name="portfolio-transfers",
    ),
    path("matters/<int:matter_id>/transfers/", transfer_api.MatterTransfersView.as_view(), name="matter-transfers"),
    # Outside-firm fees and invoices (api/fees.py)
    # FEES-API
    path(
        "assignments/<int:assignment_id>/fee-arrangement/",
        fees_api.AssignmentFeeArrangementView.as_view(),
        name="assignment-fee-arrangement",
    ),
    path("matters/<int:matter_id>/fees/", fees_api.MatterFeesView.as_view(), name="matter-fees"),
    path(
        "assignments/<int:assignment_id>/invoices/",
        fees_api.AssignmentInvoicesView.as_view(),
        name="assignment-invoices",
    ),
    path("invoices/", fees_api.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/<int:invoice_id>/decision/", fees_api.InvoiceDecisionView.as_view(), name="invoice-decision"),
    path("invoices/<int:invoice_id>/payments/", fees_api.InvoicePaymentsView.as_view(), name="invoice-payments"),
    # Dashboard (api/dashboard.py)
    # DASHBOARD-API
    path("dashboard/", dashboard_api.DashboardView.as_view(), name="dashboard"),
    # Correcting and completing the record (api/record.py)
    path("matters/<int:matter_id>/debt/", record_api.MatterDebtView.as_view(), name="matter-debt"),
    path("matters/<int:matter_id>/amounts/", record_api.MatterAmountsView.as_view(), name="matter-amounts"),
    path(
        "matters/<int:matter_id>/parties/<int:party_id>/", record_api.MatterPartyView.as_view(), name="matter-party"
    ),
    path(
        "matters/<int:matter_id>/guarantees/<int:party_id>/",
        record_api.MatterGuaranteeView.as_view(),
        name="matter-guarantee",
    ),
    path("creditors/<int:creditor_id>/", record_api.CreditorDetailView.as_view(), name="creditor-detail"),
    path("firms/<int:firm_id>/", record_api.FirmDetailView.as_view(), name="firm-detail"),
    # Timelines, the audit log and users (api/timeline.py)
    path("matters/<int:matter_id>/legal-hold/", retention_api.MatterLegalHoldView.as_view(), name="matter-legal-hold"),
    path("matters/<int:matter_id>/events/", timeline_api.MatterEventsView.as_view(), name="matter-events"),
    path("audit-events/", timeline_api.AuditEventsView.as_view(), name="audit-events"),
    path("users/", timeline_api.UserListView.as_view(), name="user-list"),
]
