"""empower: run women's economic empowerment programs.

The public API for scripts::

    import empower
    from empower.schemas import BeneficiaryCreate

    db = empower.connect("sqlite:///empower.db")
    db.upgrade()
    with db.unit_of_work() as uow:
        woman = empower.register_beneficiary(uow, BeneficiaryCreate(...), actor="script:me")
        uow.commit()
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
    PermissionDenied,
    RuleViolation,
)
from empower.services import *  # noqa: F403
from empower.services import __all__ as _services

__version__ = "0.1.0"

__all__ = [
    "BudgetExceeded", "Conflict", "Database", "EmpowerError", "InvalidInput", "InvalidTransition",
    "NotEligible", "NotFound", "OverDisbursement", "PermissionDenied", "RuleViolation",
    "UnitOfWork", "__version__", "connect", *_services,
]
