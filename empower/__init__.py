"""empower: run women's economic empowerment programs.

The public API for scripts::

    import empower
    from empower.schemas import BeneficiaryCreate

    db = empower.connect("sqlite:///empower.db")
    db.upgrade()
    with db.unit_of_work() as uow:
        woman = empower.register_beneficiary(uow, BeneficiaryCreate(...), actor="script:me")
        uow.commit()

What a script may rely on is named in ``__all__`` below, plus the modules ``empower.schemas``
(inputs), ``empower.models`` (tables, for reading), ``empower.vocab`` (vocabularies) and
``empower.errors``. Anything else (the services' private helpers, the predicates, the importer's
internals) may change between releases.
"""

from empower.db import Database, UnitOfWork, connect
from empower.errors import (
    BudgetExceeded,
    Conflict,
    EmpowerError,
    InvalidInput,
    InvalidTransition,
    NotEligible,
    NotFound,
    OverDisbursement,
    ReturnRefused,
    RuleViolation,
)
from empower.rules import RulesConfig
from empower.services._common import beneficiary_by_cin, program_by_code
from empower.services.activities import (
    cancel_session,
    completions,
    create_activity,
    hold_session,
    plan_session,
    record_roster,
    record_visit,
)
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
    dissolve_cooperative,
    found_cooperative,
    remove_member,
    update_cooperative,
)
from empower.services.corrections import (
    confirm_disbursement,
    confirm_dissolution,
    correct_enrollment,
    correct_grant,
    correct_membership,
    update_program,
    update_survey,
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
from empower.services.grievances import (
    acknowledge_grievance,
    add_grievance_note,
    appeal_grievance,
    assign_grievance,
    close_grievance,
    declare_unfounded,
    fulfil_erasure,
    receive_grievance,
    record_subject_file,
    resolve_grievance,
    start_review,
    tell_complainant,
)
from empower.services.payment_runs import (
    approve_batch,
    build_batch,
    cancel_batch,
    close_batch,
    reconcile_batch,
    send_batch,
)
from empower.services.programs import create_partner, create_program, sign_agreement
from empower.services.surveys import record_survey

__version__ = "0.1.0"

__all__ = [
    # opening a database, units of work, configurable rules
    "Database", "RulesConfig", "UnitOfWork", "connect",
    # the one tree of errors
    "BudgetExceeded", "Conflict", "EmpowerError", "InvalidInput", "InvalidTransition",
    "NotEligible", "NotFound", "OverDisbursement", "ReturnRefused", "RuleViolation",
    # beneficiaries
    "BulkResult", "RowError", "archive_beneficiary", "erase_beneficiary", "register_beneficiaries",
    "register_beneficiary", "restore_beneficiary", "update_beneficiary",
    # looking records up by their natural keys
    "beneficiary_by_cin", "program_by_code",
    # enrolments
    "apply", "enroll", "exit_enrollment", "reject_enrollment",
    # cooperatives
    "admit_member", "dissolve_cooperative", "found_cooperative", "remove_member",
    "update_cooperative",
    # programs and partners
    "create_partner", "create_program", "sign_agreement",
    # grants
    "approve_grant", "cancel_grant", "close_grant", "disburse", "reject_grant", "submit_grant",
    # trainings: activities, sessions, rosters, coaching visits
    "cancel_session", "completions", "create_activity", "hold_session", "plan_session",
    "record_roster", "record_visit",
    # payment runs: batches, a second signature, the provider's file and its return
    "approve_batch", "build_batch", "cancel_batch", "close_batch", "reconcile_batch",
    "send_batch",
    # grievances: complaints and data-protection requests (law 09-08)
    "acknowledge_grievance", "add_grievance_note", "appeal_grievance", "assign_grievance",
    "close_grievance", "declare_unfounded", "fulfil_erasure", "receive_grievance",
    "record_subject_file", "resolve_grievance", "start_review", "tell_complainant",
    # outcomes
    "record_survey",
    # duplicates
    "list_duplicate_candidates", "resolve_duplicate",
    # corrections of records already written (re-imports use them too)
    "confirm_disbursement", "confirm_dissolution", "correct_enrollment", "correct_grant",
    "correct_membership", "update_program", "update_survey",
    "__version__",
]
