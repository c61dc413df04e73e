"""The portal's roles as Django groups. The data migration and tests both read this
table, so what a role may do is written down once."""

APPS = ("members", "plan", "ebs", "ebm", "events")

MEMBER = "member"
BOARD = "board"
SECRETARIAT = "secretariat"

MEMBER_PERMISSIONS = [
    "events.view_members_only_event",
    "events.register_for_event",
    "plan.report_own_activity",
    "members.view_contact_details",
]

BOARD_PERMISSIONS = MEMBER_PERMISSIONS + [
    "plan.view_draft_plan",
    "plan.view_followup_dashboard",
    "plan.request_followup_report",
    # Record how far a goal was achieved in a period (plan.services.goal_assessment_create).
    "plan.add_goalassessment",
]

# The secretariat gets every add/change/delete/view permission of the domain apps
# (see grant_all_domain_permissions) plus these.
SECRETARIAT_EXTRA_PERMISSIONS = BOARD_PERMISSIONS + [
    "admin.view_logentry",
    "auth.view_user",
    "auth.view_group",
    "audit.view_auditentry",
]
