"""SQLAlchemy models. Qt-free; services and the UI build on these."""

from app.models.base import Base, Money, cents_to_yuan
from app.models.register import (
    AppMeta,
    Certificate,
    CertificateScan,
    CompetitionEntry,
    Department,
    Enterprise,
    Honour,
    LaborContract,
    Occupation,
    OccupationShortage,
    Worker,
)
from app.models.allowances import (
    AllowanceLine,
    AllowanceRoll,
    ApprenticeAssessment,
    Apprenticeship,
    SpecialAllowance,
)
from app.models.survey import SavedSurvey
from app.models.users import AuditEntry, User
from app.models.subsidies import SubsidyApplication, SubsidyClaim, SubsidyLine, SubsidyType
from app.models.training import (
    AccountEntry,
    AgreementEnrolment,
    PolicyValue,
    ServiceAgreement,
    TrainingAccount,
    TrainingEnrolment,
    TrainingFundYear,
    TrainingProgramme,
)

__all__ = [
    "AppMeta", "Base", "Certificate", "CertificateScan", "CompetitionEntry", "Department",
    "Enterprise", "Honour", "LaborContract", "Money", "Occupation", "OccupationShortage",
    "Worker", "cents_to_yuan", "AccountEntry", "AgreementEnrolment", "PolicyValue", "ServiceAgreement",
    "TrainingAccount", "TrainingEnrolment", "TrainingFundYear", "TrainingProgramme",
    "AllowanceLine", "AllowanceRoll", "ApprenticeAssessment", "Apprenticeship", "SpecialAllowance",
    "SavedSurvey", "SubsidyApplication", "SubsidyClaim", "SubsidyLine", "SubsidyType",
    "AuditEntry", "User",
]
