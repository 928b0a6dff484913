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
