"""Import every model module so the metadata (and Alembic) sees all tables."""

from compapp.audit.models import AuditEntry  # noqa: F401
from compapp.auth.models import Invitation, User, UserSession  # noqa: F401
from compapp.certificates.models import Certificate, CertificateVerification  # noqa: F401
from compapp.contests.models import (  # noqa: F401
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    OrganisingBody,
    Placement,
)
from compapp.disclosure.models import Disclosure  # noqa: F401
from compapp.finance.models import BudgetConfirmation, Reconciliation, RecoveryLine  # noqa: F401
from compapp.honours.models import Honour  # noqa: F401
from compapp.imports.models import ImportBatch  # noqa: F401
from compapp.jobs.models import Job, JobChunk, JobGate  # noqa: F401
from compapp.notifications.models import Notification  # noqa: F401
from compapp.payees.models import BankAccount  # noqa: F401
from compapp.policies.models import PolicyRevision  # noqa: F401
from compapp.promotion.models import (  # noqa: F401
    CalendarYear,
    GradeChange,
    NoticeObjection,
    PromotionCase,
    PublicNotice,
)
from compapp.reference.models import Grade, Jurisdiction  # noqa: F401
from compapp.revocation.models import PersonBar, Revocation  # noqa: F401
from compapp.rewards.models import AwardBasis, AwardComputation, AwardLineRecord  # noqa: F401
