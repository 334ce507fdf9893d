"""The public API is chosen: ``empower.__all__`` is pinned here, every name in it resolves, and the
README's script example uses only public names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import empower

ROOT = Path(__file__).resolve().parents[2]

# Changing this list is changing what scripts may rely on: do it on purpose.
PUBLIC = [
    "BudgetExceeded", "BulkResult", "Conflict", "Database", "EmpowerError", "InvalidInput",
    "InvalidTransition", "NotEligible", "NotFound", "OverDisbursement", "RowError", "RuleViolation",
    "RulesConfig", "UnitOfWork", "__version__", "admit_member", "apply", "approve_grant",
    "archive_beneficiary", "beneficiary_by_cin", "cancel_grant", "close_grant", "confirm_disbursement",
    "confirm_dissolution", "connect", "correct_enrollment", "correct_grant", "correct_membership", "create_partner", "create_program",
    "disburse", "dissolve_cooperative", "enroll", "erase_beneficiary", "exit_enrollment",
    "found_cooperative", "list_duplicate_candidates", "program_by_code", "record_survey",
    "register_beneficiaries", "register_beneficiary", "reject_enrollment", "reject_grant",
    "remove_member", "resolve_duplicate", "restore_beneficiary", "sign_agreement", "submit_grant",
    "update_beneficiary", "update_cooperative", "update_program", "update_survey",
    # trainings
    "cancel_session", "completions", "create_activity", "hold_session", "plan_session",
    "record_roster", "record_visit",
    # payment runs
    "ReturnRefused", "approve_batch", "build_batch", "cancel_batch", "close_batch",
    "reconcile_batch", "send_batch",
    # grievances
    "acknowledge_grievance", "add_grievance_note", "appeal_grievance", "assign_grievance",
    "close_grievance", "declare_unfounded", "fulfil_erasure", "receive_grievance",
    "record_subject_file", "resolve_grievance", "start_review", "tell_complainant",
]
# Modules a script may import names from, besides the package itself.
PUBLIC_MODULES = {"empower.schemas", "empower.models", "empower.vocab", "empower.errors"}


def test_all_is_the_chosen_list() -> None:
    assert sorted(empower.__all__) == sorted(PUBLIC)
    assert len(set(empower.__all__)) == len(empower.__all__)


def test_every_public_name_resolves() -> None:
    missing = [name for name in empower.__all__ if not hasattr(empower, name)]
    assert missing == []


def test_the_package_has_no_star_import() -> None:
    tree = ast.parse((ROOT / "empower" / "__init__.py").read_text(encoding="utf-8"))
    stars = [n.module for n in ast.walk(tree)
             if isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)]
    assert stars == []


def test_the_correction_services_are_public_and_the_helpers_are_not() -> None:
    from empower.services import corrections

    assert set(corrections.__all__) <= set(empower.__all__)
    for helper in ("get", "columns", "check_province", "check_region", "check_not_archived",
                   "cooperative_active_on"):
        assert helper not in empower.__all__


def _readme_script() -> ast.Module:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Scripting with the library", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None, "the README has no script example"
    return ast.parse(block.group(1))


def test_the_readme_script_uses_only_public_names() -> None:
    tree = _readme_script()
    used = {n.attr for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "empower"}
    assert used, "the example no longer calls the library through `empower.`"
    assert used - set(empower.__all__) == set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("empower"):
            assert node.module in PUBLIC_MODULES, node.module
            module = __import__(node.module, fromlist=["__all__"])
            assert {a.name for a in node.names} <= set(module.__all__), node.module
