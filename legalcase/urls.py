"""The web pages; the API lives under /api/v1/ (``legalcase.api_urls``)."""

from django.urls import path

from legalcase import views
from legalcase.views import calculators as calculator_views
from legalcase.views import claims as claim_views
from legalcase.views import dashboard as dashboard_views
from legalcase.views import deadlines as deadline_views
from legalcase.views import demands as demand_views
from legalcase.views import enforcement as enforcement_views
from legalcase.views import fees as fee_views
from legalcase.views import forums as forum_views
from legalcase.views import proceedings as proceeding_views
from legalcase.views import record as record_views
from legalcase.views import collection as collection_views
from legalcase.views import recoveries as recovery_views
from legalcase.views import retention as retention_views
from legalcase.views import scoring as scoring_views
from legalcase.views import settlements as settlement_views
from legalcase.views import triage as triage_views
from legalcase.views import tasks as task_views
from legalcase.views import worklists as worklist_views
from legalcase.views import transfers as transfer_views

urlpatterns = [
    path("", views.matter_list, name="matter_list"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("matters/bulk/", views.matter_bulk, name="matter_bulk"),
    path("matters/export.xlsx", views.matter_export_view, name="matter_export"),
    path("matters/<int:matter_id>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:matter_id>/reveal/", views.matter_reveal, name="matter_reveal"),
    path("matters/<int:matter_id>/transition/", views.matter_transition, name="matter_transition"),
    path("matters/<int:matter_id>/owner/", views.matter_owner, name="matter_owner"),
    path("matters/<int:matter_id>/assignment/", views.matter_assign, name="matter_assign"),
    path("matters/<int:matter_id>/assignment/end/", views.matter_unassign, name="matter_unassign"),
    path("matters/<int:matter_id>/forum/", views.matter_forum, name="matter_forum"),
    path("deadlines/limitation/", views.limitation_watch, name="limitation_watch"),
    path("forums/", forum_views.forum_list, name="forum_list"),
    path("forums/<int:forum_id>/edit/", forum_views.forum_edit, name="forum_edit"),
    path("debtors/<int:party_id>/", views.debtor_detail, name="debtor_detail"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/errors.csv", views.escalation_import_errors, name="escalation_import_errors"),
    path("imports/escalations/", views.escalation_import, name="escalation_import"),
    # Demands, courier tracking and its import (views/demands.py)
    path("imports/tracking/", demand_views.tracking_import, name="tracking_import"),
    path("jobs/<uuid:job_id>/tracking-errors.csv", demand_views.tracking_import_errors, name="demand_tracking_errors"),
    path("matters/<int:matter_id>/demands/", demand_views.demands_section, name="demands_section"),
    path("matters/<int:matter_id>/demands/new/", demand_views.demand_record_view, name="demand_record"),
    path(
        "matters/<int:matter_id>/demands/<int:demand_id>/tracking/",
        demand_views.demand_track_view,
        name="demand_track",
    ),
    path(
        "matters/<int:matter_id>/demands/<int:demand_id>/delivery/",
        demand_views.demand_deliver_view,
        name="demand_deliver",
    ),
    path(
        "imports/escalations/template.<str:kind>",
        views.escalation_import_template,
        name="escalation_import_template",
    ),
    # Plans and tasks (views/tasks.py)
    path("tasks/", task_views.my_tasks, name="my_tasks"),
    # The worklist (views/worklists.py)
    path("worklist/", worklist_views.worklist, name="worklist"),
    path("worklist/bulk/", worklist_views.worklist_bulk, name="worklist_bulk"),
    path("tasks/<int:task_id>/close/", task_views.task_close, name="task_close"),
    path("matters/<int:matter_id>/tasks/", task_views.tasks_section, name="tasks_section"),
    path("matters/<int:matter_id>/plan/", task_views.plan_start_view, name="plan_start"),
    path("matters/<int:matter_id>/plan/stop/", task_views.plan_stop_view, name="plan_stop"),
    path("scoring/model/", scoring_views.scoring_model, name="scoring_model"),
    path("playbooks/", task_views.playbook_list, name="playbook_list"),
    path("playbooks/new/", task_views.playbook_edit, name="playbook_new"),
    path("playbooks/<int:playbook_id>/", task_views.playbook_edit, name="playbook_edit"),
    # Deadlines, calendar feed and notifications (views/deadlines.py)
    path("deadlines/", deadline_views.deadline_list, name="deadline_list"),
    path("deadlines/<int:deadline_id>/complete/", deadline_views.deadline_complete, name="deadline_complete"),
    path("deadlines/<int:deadline_id>/override/", deadline_views.deadline_override, name="deadline_override"),
    path("deadlines/calendar/issue/", deadline_views.calendar_feed_issue, name="calendar_feed_issue"),
    path("deadlines/calendar/revoke/", deadline_views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/<str:key>.ics", deadline_views.calendar_feed, name="calendar_feed"),
    path("notifications/", deadline_views.notification_list, name="notification_list"),
    path("notifications/<int:notification_id>/read/", deadline_views.notification_read, name="notification_read"),
    path("notifications/read/", deadline_views.notifications_read_all, name="notifications_read_all"),
    # Proceedings, rulings, the lawyers' home and firm activity (views/proceedings.py)
    path("matters/<int:matter_id>/proceedings/", proceeding_views.proceedings_section, name="proceedings_section"),
    path(
        "matters/<int:matter_id>/proceedings/new/", proceeding_views.proceeding_record_view, name="proceeding_record"
    ),
    path(
        "matters/<int:matter_id>/proceedings/<int:proceeding_id>/service/",
        proceeding_views.service_record_view,
        name="proceeding_service_add",
    ),
    path(
        "matters/<int:matter_id>/proceedings/<int:proceeding_id>/hearings/",
        proceeding_views.hearing_add_view,
        name="proceeding_hearing_add",
    ),
    path(
        "matters/<int:matter_id>/proceedings/<int:proceeding_id>/hearings/<int:hearing_id>/move/",
        proceeding_views.hearing_move_view,
        name="proceeding_hearing_move",
    ),
    path(
        "matters/<int:matter_id>/proceedings/<int:proceeding_id>/court-dates/",
        proceeding_views.court_dates_view,
        name="proceeding_court_dates",
    ),
    path(
        "matters/<int:matter_id>/proceedings/<int:proceeding_id>/update/",
        proceeding_views.proceeding_update_view,
        name="proceeding_update",
    ),
    path("matters/<int:matter_id>/rulings/", proceeding_views.rulings_section, name="rulings_section"),
    path(
        "matters/<int:matter_id>/rulings/<int:ruling_id>/confirm/",
        proceeding_views.ruling_confirm_view,
        name="ruling_confirm",
    ),
    path("portal/", proceeding_views.lawyer_home, name="lawyer_home"),
    path("firms/", proceeding_views.firm_activity_list, name="firm_activity_list"),
    path("firms/<int:firm_id>/", proceeding_views.firm_activity, name="firm_activity"),
    # Assets and enforcement actions, the lapsing and 终本 watch pages (views/enforcement.py)
    path("matters/<int:matter_id>/enforcement/", enforcement_views.enforcement_section, name="enforcement_section"),
    path(
        "matters/<int:matter_id>/enforcement/assets/",
        enforcement_views.asset_record_view,
        name="enforcement_asset_record",
    ),
    path(
        "matters/<int:matter_id>/enforcement/actions/",
        enforcement_views.action_record_view,
        name="enforcement_action_record",
    ),
    path(
        "matters/<int:matter_id>/enforcement/actions/<int:action_id>/renew/",
        enforcement_views.action_renew_view,
        name="enforcement_action_renew",
    ),
    path(
        "matters/<int:matter_id>/enforcement/actions/<int:action_id>/status/",
        enforcement_views.action_status_view,
        name="enforcement_action_status",
    ),
    path("enforcement/lapsing/", enforcement_views.enforcement_lapsing, name="enforcement_lapsing"),
    path("enforcement/terminated/", enforcement_views.enforcement_terminated, name="enforcement_terminated"),
    # The collection log (views/collection.py)
    path("matters/<int:matter_id>/collection/", collection_views.collection_section, name="collection_section"),
    # The debtor review (views/triage.py)
    path("matters/<int:matter_id>/review/", triage_views.review_section, name="review_section"),
    path("matters/<int:matter_id>/review/save/", triage_views.review_save, name="review_save"),
    path("matters/<int:matter_id>/collection/contacts/", collection_views.contact_record_view, name="contact_record"),
    path("matters/<int:matter_id>/collection/complaints/", collection_views.complaint_open_view, name="complaint_open"),
    path(
        "matters/<int:matter_id>/collection/complaints/<int:complaint_id>/resolve/",
        collection_views.complaint_resolve_view,
        name="complaint_resolve",
    ),
    path("matters/<int:matter_id>/collection.xlsx", collection_views.collection_export, name="collection_export"),
    # Recoveries and costs (views/recoveries.py)
    path("matters/<int:matter_id>/recoveries/", recovery_views.recoveries_section, name="recoveries_section"),
    path("matters/<int:matter_id>/recoveries/new/", recovery_views.recovery_record_view, name="recovery_record"),
    path(
        "matters/<int:matter_id>/recoveries/<int:recovery_id>/reverse/",
        recovery_views.recovery_reverse_view,
        name="recovery_reverse",
    ),
    path("matters/<int:matter_id>/costs/new/", recovery_views.cost_record_view, name="cost_record"),
    # Personal data retention and the legal hold (views/retention.py)
    path("matters/<int:matter_id>/retention/", retention_views.retention_section, name="retention_section"),
    path("matters/<int:matter_id>/retention/legal-hold/", retention_views.legal_hold_view, name="legal_hold_set"),
    # Enforcement application amounts (views/claims.py)
    path("matters/<int:matter_id>/claims/", claim_views.claims_section, name="claims_section"),
    path(
        "matters/<int:matter_id>/claims/delay-base/", claim_views.delay_base_set_view, name="claims_delay_base_set"
    ),
    # The calculators page: interest, the LPR table, court fees (views/calculators.py)
    path("calculators/", calculator_views.calculators, name="calculators"),
    # Settlements (views/settlements.py)
    # SETTLEMENTS-URLS
    path("matters/<int:matter_id>/settlements/", settlement_views.settlements_section, name="settlements_section"),
    path(
        "matters/<int:matter_id>/settlements/new/", settlement_views.settlement_record_view, name="settlement_record"
    ),
    path(
        "matters/<int:matter_id>/settlements/<int:settlement_id>/cancel/",
        settlement_views.settlement_cancel_view,
        name="settlement_cancel",
    ),
    path("settlements/watch/", settlement_views.settlement_watch, name="settlement_watch"),
    # Portfolios and transfers (views/transfers.py)
    # TRANSFERS-URLS
    path("portfolios/", transfer_views.portfolio_list, name="portfolio_list"),
    path("portfolios/new/", transfer_views.portfolio_create_view, name="portfolio_create"),
    path("portfolios/<int:portfolio_id>/", transfer_views.portfolio_detail, name="portfolio_detail"),
    path(
        "portfolios/<int:portfolio_id>/matters/",
        transfer_views.portfolio_add_matters_view,
        name="portfolio_add_matters",
    ),
    path("portfolios/<int:portfolio_id>/transfer/", transfer_views.portfolio_transfer_view, name="portfolio_transfer"),
    path(
        "portfolios/<int:portfolio_id>/transfers/<int:transfer_id>/",
        transfer_views.portfolio_transfer_result,
        name="portfolio_transfer_result",
    ),
    path(
        "portfolios/<int:portfolio_id>/transfers/<int:transfer_id>/batches/<str:template>/",
        transfer_views.portfolio_transfer_batch,
        name="portfolio_transfer_batch",
    ),
    path("matters/<int:matter_id>/transfers/", transfer_views.transfers_section, name="transfers_section"),
    # Outside-firm fees and invoices (views/fees.py)
    # FEES-URLS
    path("matters/<int:matter_id>/fees/", fee_views.fees_section, name="fees_section"),
    path(
        "matters/<int:matter_id>/fees/assignments/<int:assignment_id>/arrangement/",
        fee_views.fee_arrangement_set_view,
        name="fee_arrangement_set",
    ),
    path(
        "matters/<int:matter_id>/fees/assignments/<int:assignment_id>/invoices/",
        fee_views.invoice_submit_view,
        name="invoice_submit",
    ),
    path("invoices/", fee_views.invoice_list, name="invoice_list"),
    path("invoices/new/", fee_views.firm_invoice_submit_view, name="firm_invoice_submit"),
    path("invoices/<int:invoice_id>/decision/", fee_views.invoice_decide_view, name="invoice_decide"),
    path("invoices/<int:invoice_id>/payments/", fee_views.invoice_pay_view, name="invoice_pay"),
    # Asset managers' dashboard and exports (views/dashboard.py)
    # DASHBOARD-URLS
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/export/<str:table>.xlsx", dashboard_views.dashboard_export, name="dashboard_export"),
    # Correcting and completing the record (views/record.py)
    path("matters/<int:matter_id>/record/", record_views.record_section, name="record_section"),
    path(
        "matters/<int:matter_id>/record/parties/<int:party_id>/",
        record_views.record_party_post,
        name="record_party",
    ),
    path(
        "matters/<int:matter_id>/record/parties/<int:party_id>/phones/",
        record_views.record_phones_post,
        name="record_phones",
    ),
    path(
        "matters/<int:matter_id>/record/guarantees/<int:party_id>/",
        record_views.record_guarantee_post,
        name="record_guarantee",
    ),
    path("matters/<int:matter_id>/record/debt/", record_views.record_debt_post, name="record_debt"),
    path("matters/<int:matter_id>/record/amounts/", record_views.record_amounts_post, name="record_amounts"),
    path("matters/<int:matter_id>/record/lawyers/", record_views.record_lawyers_post, name="record_lawyers"),
    path("creditors/<int:creditor_id>/edit/", record_views.creditor_edit, name="creditor_edit"),
    path("firms/<int:firm_id>/edit/", record_views.firm_edit, name="firm_edit"),
]
