"""The program's services: plain functions taking a unit of work, an input and an actor."""

from empower.services._common import beneficiary_by_cin, program_by_code
from empower.services.beneficiaries import (
    BulkResult,
    RowError,
    archive_beneficiary,
    erase_beneficiary,
    register_beneficiaries,
    register_beneficiary,
    restore_beneficiary,
    update_beneficiary,
)
from empower.services.cooperatives import (
    admit_member,
    cooperative_active_on,
    dissolve_cooperative,
    found_cooperative,
    remove_member,
    update_cooperative,
)
from empower.services.duplicates import list_duplicate_candidates, resolve_duplicate
from empower.services.enrollments import apply, enroll, exit_enrollment, reject_enrollment
from empower.services.grants import (
    approve_grant,
    cancel_grant,
    close_grant,
    disburse,
    reject_grant,
    submit_grant,
)
from empower.services.programs import create_partner, create_program, sign_agreement
from empower.services.surveys import record_survey

__all__ = [
    "BulkResult", "RowError", "admit_member", "apply", "approve_grant", "archive_beneficiary",
    "beneficiary_by_cin", "cancel_grant", "close_grant", "cooperative_active_on", "create_partner",
    "create_program", "disburse", "dissolve_cooperative", "enroll", "erase_beneficiary",
    "exit_enrollment", "found_cooperative", "list_duplicate_candidates", "program_by_code",
    "record_survey", "register_beneficiaries", "register_beneficiary", "reject_enrollment",
    "reject_grant", "remove_member", "resolve_duplicate", "restore_beneficiary", "sign_agreement",
    "submit_grant", "update_beneficiary", "update_cooperative",
]
