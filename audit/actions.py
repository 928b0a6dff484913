"""Every audit action, once, with the words the person sees on their activity page.

An action is stored as its dotted code (``incident.recorded``); :func:`audit.services.record` refuses a code that
is not listed here, so a new action cannot reach the log without a label. Staff-side actions join this list as the
service side grows.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    CASE_OPENED = "case.opened"
    CASE_DETAILS_CHANGED = "case.details_changed"
    CASE_VERIFIED = "case.verified"
    CASE_VERIFY_REQUESTED = "case.verify_requested"
    CASE_VIEW = "case.view"
    CASE_RECORD = "case.record"
    CASE_EDIT = "case.edit"
    CASE_MANAGE = "case.manage"
    INCIDENT_RECORDED = "incident.recorded"
    INCIDENT_QUICK_RECORDED = "incident.quick_recorded"
    INCIDENT_EDITED = "incident.edited"
    INCIDENT_COMPLETED = "incident.completed"
    INCIDENT_RETRACTED = "incident.retracted"
    CRIME_REFERENCE_ADDED = "crime_reference.added"
    CRIME_REFERENCE_CHANGED = "crime_reference.changed"
    ORDER_ADDED = "order.added"
    ORDER_CHANGED = "order.changed"
    SCREENING_RECORDED = "screening.recorded"
    EXHIBIT_ADDED = "exhibit.added"
    EXHIBIT_DUPLICATE = "exhibit.duplicate"
    EXHIBIT_EDITED = "exhibit.edited"
    EXHIBIT_LINKED = "exhibit.linked"
    EXHIBIT_CONTINUITY = "exhibit.continuity"
    EXHIBIT_DOWNLOADED = "exhibit.downloaded"
    IMPORT_QUEUED = "import.queued"
    IMPORT_STARTED = "import.started"
    IMPORT_DONE = "import.done"
    IMPORT_FAILED = "import.failed"
    IMPORT_UNDONE = "import.undone"
    REPORT_REQUESTED = "report.requested"
    REPORT_GENERATED = "report.generated"
    REPORT_DELETED = "report.deleted"
    REPORT_DOWNLOADED = "report.downloaded"
    REPORT_HANDOVER_CREATED = "report.handover_created"
    REPORT_HANDOVER_REVOKED = "report.handover_revoked"
    REPORT_HANDOVER_DOWNLOADED = "report.handover_downloaded"
    SESSION_EXIT = "session.exit"
    # The service side (organisations/, casework/): rows carry the organisation and, where there is one, the client.
    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_SETTINGS_CHANGED = "organisation.settings_changed"
    AGREEMENT_ADDED = "agreement.added"
    AGREEMENT_ENDED = "agreement.ended"
    STAFF_INVITED = "staff.invited"
    STAFF_INVITATION_REVOKED = "staff.invitation_revoked"
    STAFF_JOINED = "staff.joined"
    STAFF_REMOVED = "staff.removed"
    STAFF_ROLE_CHANGED = "staff.role_changed"
    STAFF_CONNECTION_DECLARED = "staff.connection_declared"
    REFERRAL_RECORDED = "referral.recorded"
    REFERRAL_REFUSED = "referral.refused"
    REFERRAL_VIEWED = "referral.viewed"
    REFERRAL_SCREENED = "referral.screened"
    REFERRAL_ACCEPTED = "referral.accepted"
    REFERRAL_DECLINED = "referral.declined"
    REFERRAL_PASSED_ON = "referral.passed_on"
    CONTACT_ATTEMPTED = "contact.attempted"
    CLIENT_VIEWED = "client.viewed"
    CLIENT_ALLOCATED = "client.allocated"
    CLIENT_RESTRICTED = "client.restricted"
    CLIENT_BREAK_GLASS = "client.break_glass"
    CLIENT_SEARCHED = "client.searched"
    QUEUE_VIEWED = "queue.viewed"
    ALERT_RAISED = "alert.raised"
    ALERT_CLOSED = "alert.closed"
    ACCESS_LOG_SEARCHED = "access_log.searched"
    API_CREDENTIAL_ISSUED = "api_credential.issued"
    API_CREDENTIAL_ROTATED = "api_credential.rotated"
    API_CREDENTIAL_REVOKED = "api_credential.revoked"
    API_CALLED = "api.called"
    REFERRAL_UPDATED = "referral.updated"
    REFERRAL_PURGED = "referral.purged"
    FEED_UPLOADED = "feed.uploaded"
    FEED_REJECTS_DOWNLOADED = "feed.rejects_downloaded"
    CLIENT_MERGED = "client.merged"
    CLIENT_UNMERGED = "client.unmerged"
    SAFE_CONTACT_CHANGED = "client.safe_contact_changed"
    SELF_REFERRAL_TRAPPED = "referral.self_trapped"
    # The justice side (justice/): risk, the suspect's status, orders, onward referral, MARAC and MASIP.
    RISK_ASSESSED = "risk.assessed"
    RISK_REVIEWED = "risk.reviewed"
    SUSPECT_STATUS_RECORDED = "suspect.status_recorded"
    ORDER_RECORDED = "client_order.recorded"
    ORDER_STEP_RECORDED = "client_order.step_recorded"
    COURT_DATE_RECORDED = "court.date_recorded"
    VPS_RECORDED = "vps.recorded"
    ONWARD_SENT = "onward.sent"
    ONWARD_STATE = "onward.state"
    ONWARD_WITHDRAWN = "onward.withdrawn"
    ONWARD_ANSWERED = "onward.answered"
    ONWARD_READ = "onward.read"
    MEETING_RECORDED = "meeting.recorded"
    MEETING_FEEDBACK = "meeting.feedback"
    MEETING_ACTION_ADDED = "meeting.action_added"
    MARAC_PDF_MADE = "marac.pdf_made"
    JUSTICE_VIEWED = "justice.viewed"
    TASK_DONE = "task.done"
    PROTOCOL_CHANGED = "protocol.changed"
    SHARE_GRANTED = "share.granted"
    SHARE_NARROWED = "share.narrowed"
    SHARE_ENDED = "share.ended"
    SHARE_VIEWED = "share.viewed"
    SHARE_REFUSED = "share.refused"
    SHARE_COPY_KEPT = "share.copy_kept"
    LINK_CODE_ISSUED = "link_code.issued"
    LINK_CODE_REFUSED = "link_code.refused"
    CONTACT_INVITED = "contact.invited"
    CONTACT_REVOKED = "contact.revoked"
    SIGHTING_ADDED = "sighting.added"
    SIGHTING_USED = "sighting.used"
    # care/: safeguarding, needs, support and safety plans (each write also a client chain entry).
    CARE_VIEWED = "care.viewed"
    CARE_VERIFIED = "care.verified"
    SAFEGUARDING_RAISED = "safeguarding.raised"
    SAFEGUARDING_REFERRED = "safeguarding.referred"
    SAFEGUARDING_OUTCOME = "safeguarding.outcome"
    SAFEGUARDING_CHASED = "safeguarding.chased"
    SAFEGUARDING_CONSENT = "safeguarding.consent"
    SAFEGUARDING_CHILD = "safeguarding.child"
    SAFEGUARDING_REVIEWED = "safeguarding.reviewed"
    SAFEGUARDING_CLOSED = "safeguarding.closed"
    NEEDS_ASSESSED = "needs.assessed"
    SUPPORT_PLAN_CHANGED = "support_plan.changed"
    SUPPORT_PLAN_REVIEWED = "support_plan.reviewed"
    SAFETY_PLAN_SAVED = "safety_plan.saved"
    SAFETY_PLAN_CONFLICT = "safety_plan.conflict"
    SAFETY_PLAN_PRINTED = "safety_plan.printed"
    SAFETY_PLAN_SHARED = "safety_plan.shared"
    # cover/ (issue 15 item 7): duty rota, cover grants, handover, reallocation, supervision, lone working.
    DUTY_SET = "duty.set"
    DUTY_VIEWED = "duty.viewed"
    COVER_GRANTED = "cover.granted"
    COVER_ENDED = "cover.ended"
    HANDOVER_ADDED = "handover.added"
    CLIENTS_REALLOCATED = "clients.reallocated"
    SUPERVISION_RECORDED = "supervision.recorded"
    SUPERVISION_VIEWED = "supervision.viewed"
    VISIT_PLANNED = "visit.planned"
    VISIT_CHECKED_IN = "visit.checked_in"
    VISIT_CHECKED_OUT = "visit.checked_out"
    VISIT_CANCELLED = "visit.cancelled"
    VISIT_ESCALATED = "visit.escalated"
    STAFF_RISK_RECORDED = "staff_risk.recorded"
    STAFF_RISK_ENDED = "staff_risk.ended"
    COVER_VIEWED = "cover.viewed"
    # feed14: a daily file received and stored sealed, before the worker reads it.
    FEED_RECEIVED = "feed.received"
    # Governance: closure, records law, returns (issue 16).
    RETURN_VIEWED = "return.viewed"
    RETURN_DOWNLOADED = "return.downloaded"
    CLOSURE_REQUESTED = "closure.requested"
    CLOSURE_DECIDED = "closure.decided"
    CLOSURE_REOPENED = "closure.reopened"
    RECORDS_VIEWED = "records.viewed"
    SUBJECT_ACCESS_PACK = "records.subject_access_pack"
    CHRONOLOGY_EXPORTED = "records.chronology_exported"
    RECORDS_REQUEST_LOGGED = "records.request_logged"
    RECORDS_REQUEST_DECIDED = "records.request_decided"
    LEGAL_HOLD_PLACED = "records.legal_hold_placed"
    LEGAL_HOLD_LIFTED = "records.legal_hold_lifted"
    FEEDBACK_LOGGED = "records.feedback_logged"
    FEEDBACK_ANSWERED = "records.feedback_answered"
    RETENTION_REVIEWED = "retention.reviewed"
    RECORD_DELETED = "retention.deleted"
    # My data: take it out, bring it back, delete it; neutral notices (issue 17, items 4 and 5: takeout/)
    TAKEOUT_REQUESTED = "takeout.requested"
    TAKEOUT_DOWNLOADED = "takeout.downloaded"
    TAKEOUT_LOADED = "takeout.loaded"
    CASE_DELETED = "case.deleted"
    ACCOUNT_DELETION_REQUESTED = "account.deletion_requested"
    ACCOUNT_DELETION_CANCELLED = "account.deletion_cancelled"
    NOTICES_CHANGED = "account.notices_changed"
    # gov16b: Victims' Code rights delivered, equality monitoring (issue 16 item 4).
    RIGHTS_RECORDED = "records.rights_recorded"
    RIGHTS_REMOVED = "records.rights_removed"
    EQUALITY_RECORDED = "records.equality_recorded"


LABELS: dict[str, str] = {
    AuditAction.CASE_OPENED: "Case started",
    AuditAction.CASE_DETAILS_CHANGED: "Case details changed",
    AuditAction.CASE_VERIFIED: "Record checked for changes",
    AuditAction.CASE_VERIFY_REQUESTED: "Check of the record started",
    AuditAction.CASE_VIEW: "Case viewed by someone else",
    AuditAction.CASE_RECORD: "Incident added by someone else",
    AuditAction.CASE_EDIT: "Case changed by someone else",
    AuditAction.CASE_MANAGE: "Sharing or deletion changed by someone else",
    AuditAction.INCIDENT_RECORDED: "Incident recorded",
    AuditAction.INCIDENT_QUICK_RECORDED: "Quick note recorded",
    AuditAction.INCIDENT_EDITED: "Incident changed",
    AuditAction.INCIDENT_COMPLETED: "Detail added to a quick note",
    AuditAction.INCIDENT_RETRACTED: "Incident retracted",
    AuditAction.CRIME_REFERENCE_ADDED: "Crime reference added",
    AuditAction.CRIME_REFERENCE_CHANGED: "Crime reference changed",
    AuditAction.ORDER_ADDED: "Order added",
    AuditAction.ORDER_CHANGED: "Order changed",
    AuditAction.SCREENING_RECORDED: "Risk screening saved",
    AuditAction.EXHIBIT_ADDED: "Evidence added",
    AuditAction.EXHIBIT_DUPLICATE: "Evidence already kept was added again (not stored twice)",
    AuditAction.EXHIBIT_EDITED: "Evidence details changed",
    AuditAction.EXHIBIT_LINKED: "Evidence linked to incidents",
    AuditAction.EXHIBIT_CONTINUITY: "Evidence handed over or moved",
    AuditAction.EXHIBIT_DOWNLOADED: "Evidence downloaded",
    AuditAction.IMPORT_QUEUED: "Import of an export file asked for",
    AuditAction.IMPORT_STARTED: "Import of an export file started",
    AuditAction.IMPORT_DONE: "Export file imported",
    AuditAction.IMPORT_FAILED: "Import of an export file failed",
    AuditAction.IMPORT_UNDONE: "Import undone",
    AuditAction.REPORT_REQUESTED: "Report asked for",
    AuditAction.REPORT_GENERATED: "Report made",
    AuditAction.REPORT_DELETED: "Report deleted",
    AuditAction.REPORT_DOWNLOADED: "Report downloaded",
    AuditAction.REPORT_HANDOVER_CREATED: "Hand-over link made",
    AuditAction.REPORT_HANDOVER_REVOKED: "Hand-over link stopped",
    AuditAction.REPORT_HANDOVER_DOWNLOADED: "Report downloaded through a hand-over link",
    AuditAction.SESSION_EXIT: "Left quickly with Exit",
    AuditAction.ORGANISATION_CREATED: "Organisation set up",
    AuditAction.ORGANISATION_SETTINGS_CHANGED: "Organisation settings changed",
    AuditAction.AGREEMENT_ADDED: "Data-sharing agreement added",
    AuditAction.AGREEMENT_ENDED: "Data-sharing agreement ended",
    AuditAction.STAFF_INVITED: "Staff member invited",
    AuditAction.STAFF_INVITATION_REVOKED: "Staff invitation withdrawn",
    AuditAction.STAFF_JOINED: "Staff member joined",
    AuditAction.STAFF_REMOVED: "Staff member removed",
    AuditAction.STAFF_ROLE_CHANGED: "Staff member's role changed",
    AuditAction.STAFF_CONNECTION_DECLARED: "Staff member declared a connection",
    AuditAction.REFERRAL_RECORDED: "Referral recorded",
    AuditAction.REFERRAL_REFUSED: "Referral refused and not stored",
    AuditAction.REFERRAL_VIEWED: "Referral looked at",
    AuditAction.REFERRAL_SCREENED: "Referral risk screened",
    AuditAction.REFERRAL_ACCEPTED: "Referral accepted",
    AuditAction.REFERRAL_DECLINED: "Referral declined",
    AuditAction.REFERRAL_PASSED_ON: "Referral passed on",
    AuditAction.CONTACT_ATTEMPTED: "Contact attempt recorded",
    AuditAction.CLIENT_VIEWED: "Client record looked at",
    AuditAction.CLIENT_ALLOCATED: "Client allocated",
    AuditAction.CLIENT_RESTRICTED: "Client record restriction changed",
    AuditAction.CLIENT_BREAK_GLASS: "Restricted record opened with break-glass",
    AuditAction.CLIENT_SEARCHED: "Clients searched",
    AuditAction.QUEUE_VIEWED: "Triage queue looked at",
    AuditAction.ALERT_RAISED: "Alert raised",
    AuditAction.ALERT_CLOSED: "Alert closed",
    AuditAction.ACCESS_LOG_SEARCHED: "Access log searched",
    AuditAction.API_CREDENTIAL_ISSUED: "Police API credential issued",
    AuditAction.API_CREDENTIAL_ROTATED: "Police API credential rotated",
    AuditAction.API_CREDENTIAL_REVOKED: "Police API credential revoked",
    AuditAction.API_CALLED: "Police API called",
    AuditAction.REFERRAL_UPDATED: "Police update applied to a referral",
    AuditAction.REFERRAL_PURGED: "Referral purged after a late opt-out",
    AuditAction.FEED_UPLOADED: "Daily referral file taken in",
    AuditAction.FEED_REJECTS_DOWNLOADED: "Rejected rows of a daily file downloaded",
    AuditAction.CLIENT_MERGED: "Duplicate client records merged",
    AuditAction.CLIENT_UNMERGED: "Merge of client records undone",
    AuditAction.SAFE_CONTACT_CHANGED: "Safe-contact rules changed (identity confirmed)",
    AuditAction.SELF_REFERRAL_TRAPPED: "Self-referral form filled in by a robot (not stored)",
    AuditAction.RISK_ASSESSED: "Risk assessment recorded",
    AuditAction.RISK_REVIEWED: "Lowered risk level reviewed by a team lead",
    AuditAction.SUSPECT_STATUS_RECORDED: "Suspect's status recorded",
    AuditAction.ORDER_RECORDED: "Order recorded on a client record",
    AuditAction.ORDER_STEP_RECORDED: "Step of an order recorded",
    AuditAction.COURT_DATE_RECORDED: "Court date recorded",
    AuditAction.VPS_RECORDED: "Victim Personal Statement step recorded",
    AuditAction.ONWARD_SENT: "Onward referral sent",
    AuditAction.ONWARD_STATE: "Onward referral state recorded",
    AuditAction.ONWARD_WITHDRAWN: "Onward referral withdrawn",
    AuditAction.ONWARD_ANSWERED: "Onward referral answered by the receiving service",
    AuditAction.ONWARD_READ: "Onward referral read by the receiving service",
    AuditAction.MEETING_RECORDED: "MARAC or stalking panel meeting date recorded",
    AuditAction.MEETING_FEEDBACK: "Feedback from a meeting given to the person",
    AuditAction.MEETING_ACTION_ADDED: "Action from a meeting recorded",
    AuditAction.MARAC_PDF_MADE: "MARAC or stalking panel referral form made",
    AuditAction.JUSTICE_VIEWED: "Risk, orders or referrals of a client looked at",
    AuditAction.TASK_DONE: "Reminder marked done",
    AuditAction.PROTOCOL_CHANGED: "Local MARAC protocol definitions changed",
    AuditAction.SHARE_GRANTED: "Diary shared with a support service",
    AuditAction.SHARE_NARROWED: "What a support service can see was changed",
    AuditAction.SHARE_ENDED: "Sharing with a support service ended",
    AuditAction.SHARE_VIEWED: "Your support service looked at your diary",
    AuditAction.SHARE_REFUSED: "A support service's request to your diary was refused",
    AuditAction.SHARE_COPY_KEPT: "Your support service kept its own copy of something it relied on",
    AuditAction.LINK_CODE_ISSUED: "Link code given to a client",
    AuditAction.LINK_CODE_REFUSED: "A link code was refused",
    AuditAction.CONTACT_INVITED: "Trusted contact invited",
    AuditAction.CONTACT_REVOKED: "Trusted contact's link stopped",
    AuditAction.SIGHTING_ADDED: "A trusted contact added a sighting",
    AuditAction.SIGHTING_USED: "A sighting was made into or added to an incident",
    AuditAction.CARE_VIEWED: "Safeguarding, needs or plans looked at",
    AuditAction.CARE_VERIFIED: "Client record's hash chain checked",
    AuditAction.SAFEGUARDING_RAISED: "Safeguarding concern raised",
    AuditAction.SAFEGUARDING_REFERRED: "Safeguarding referral made",
    AuditAction.SAFEGUARDING_OUTCOME: "Safeguarding referral outcome recorded",
    AuditAction.SAFEGUARDING_CHASED: "Safeguarding referral outcome chased",
    AuditAction.SAFEGUARDING_CONSENT: "Safeguarding consent recorded or withdrawn",
    AuditAction.SAFEGUARDING_CHILD: "Child's details on a safeguarding concern changed",
    AuditAction.SAFEGUARDING_REVIEWED: "Safeguarding concern reviewed by the lead",
    AuditAction.SAFEGUARDING_CLOSED: "Safeguarding concern closed",
    AuditAction.NEEDS_ASSESSED: "Needs assessment recorded",
    AuditAction.SUPPORT_PLAN_CHANGED: "Support plan changed",
    AuditAction.SUPPORT_PLAN_REVIEWED: "Support plan reviewed",
    AuditAction.SAFETY_PLAN_SAVED: "Safety plan version saved",
    AuditAction.SAFETY_PLAN_CONFLICT: "Safety plan edit refused: someone saved first",
    AuditAction.SAFETY_PLAN_PRINTED: "Safety plan printed",
    AuditAction.SAFETY_PLAN_SHARED: "Safety plan shared with the person, or sharing stopped",
    # cover/ (issue 15 item 7)
    AuditAction.DUTY_SET: "Duty worker set for a day",
    AuditAction.DUTY_VIEWED: "Duty screen looked at",
    AuditAction.COVER_GRANTED: "Cover of a colleague's clients granted",
    AuditAction.COVER_ENDED: "Cover grant ended early",
    AuditAction.HANDOVER_ADDED: "Handover note added",
    AuditAction.CLIENTS_REALLOCATED: "A caseworker's clients reallocated",
    AuditAction.SUPERVISION_RECORDED: "Supervision recorded",
    AuditAction.SUPERVISION_VIEWED: "Supervision record looked at",
    AuditAction.VISIT_PLANNED: "Visit or appointment planned",
    AuditAction.VISIT_CHECKED_IN: "Checked in on a visit",
    AuditAction.VISIT_CHECKED_OUT: "Checked out of a visit",
    AuditAction.VISIT_CANCELLED: "Visit cancelled",
    AuditAction.VISIT_ESCALATED: "Missed check-in escalated",
    AuditAction.STAFF_RISK_RECORDED: "Risk to staff recorded",
    AuditAction.STAFF_RISK_ENDED: "Risk to staff marker ended",
    AuditAction.COVER_VIEWED: "Handover, visits and staff risks of a client looked at",
    # feed14
    AuditAction.FEED_RECEIVED: "Daily referral file received and stored for the worker",
    # Governance (issue 16).
    AuditAction.RETURN_VIEWED: "Commissioner's return looked at",
    AuditAction.RETURN_DOWNLOADED: "Commissioner's return downloaded",
    AuditAction.CLOSURE_REQUESTED: "Closure of a client record asked for",
    AuditAction.CLOSURE_DECIDED: "Closure of a client record approved or refused",
    AuditAction.CLOSURE_REOPENED: "Closed client record reopened",
    AuditAction.RECORDS_VIEWED: "Records-law page of a client looked at",
    AuditAction.SUBJECT_ACCESS_PACK: "Subject access pack made",
    AuditAction.CHRONOLOGY_EXPORTED: "Chronology of a client exported",
    AuditAction.RECORDS_REQUEST_LOGGED: "Records request logged",
    AuditAction.RECORDS_REQUEST_DECIDED: "Records request decided",
    AuditAction.LEGAL_HOLD_PLACED: "Legal hold placed",
    AuditAction.LEGAL_HOLD_LIFTED: "Legal hold lifted",
    AuditAction.FEEDBACK_LOGGED: "Complaint or compliment logged",
    AuditAction.FEEDBACK_ANSWERED: "Complaint answered",
    AuditAction.RETENTION_REVIEWED: "Retention review list looked at",
    AuditAction.RECORD_DELETED: "Client record deleted at the end of its retention",
    # My data; neutral notices (issue 17, takeout/)
    AuditAction.TAKEOUT_REQUESTED: "A copy of all your data was asked for",
    AuditAction.TAKEOUT_DOWNLOADED: "A copy of all your data was downloaded",
    AuditAction.TAKEOUT_LOADED: "A case was loaded from an export",
    AuditAction.CASE_DELETED: "A case was deleted",
    AuditAction.ACCOUNT_DELETION_REQUESTED: "Deleting your account was asked for",
    AuditAction.ACCOUNT_DELETION_CANCELLED: "Deleting your account was cancelled",
    AuditAction.NOTICES_CHANGED: "Your choice of notices changed",
    # gov16b (issue 16 item 4)
    AuditAction.RIGHTS_RECORDED: "Victims' Code rights delivered recorded",
    AuditAction.RIGHTS_REMOVED: "Victims' Code right recorded in error removed",
    AuditAction.EQUALITY_RECORDED: "Equality monitoring answers recorded",
}


def label(code: str) -> str:
    """The person's words for an action code; an unknown code (an old row) shows as itself."""
    return LABELS.get(code, code)


def check(code: str) -> AuditAction:
    """The action for ``code``; ValueError names a code that has no entry above."""
    try:
        return AuditAction(code)
    except ValueError:
        raise ValueError(f"unknown audit action {code!r}: add it to audit/actions.py with its label") from None
