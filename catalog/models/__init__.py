"""ORM models, one module per aggregate; importing this package registers every table."""

from catalog.models.base import Base
from catalog.models.changes import IndexChange
from catalog.models.derived import LicenseClass, ModelDerivation, ModelUsage, Usage
from catalog.models.facets import (
    ModelDataset,
    ModelFormat,
    ModelLanguage,
    ModelModality,
    ModelTag,
    ModelTask,
)
from catalog.models.family import (
    FAMILY_KINDS,
    FAMILY_METHODS,
    Family,
    FamilyBuild,
    ModelFamily,
    ModelFamilyPath,
    ModelLink,
)
from catalog.models.harvest import (
    HarvestCursor,
    HarvestLease,
    HarvestRun,
    QuarantinedRecord,
    RawRecord,
)
from catalog.models.lineage import RELATIONS, ModelLineage
from catalog.models.metrics import ModelMetric
from catalog.models.model import Model, ModelSighting, ModelVersion, ProvenanceSet
from catalog.models.vocab import (
    Author,
    Dataset,
    Format,
    Language,
    Library,
    License,
    Modality,
    Platform,
    Tag,
    Task,
)

metadata = Base.metadata

__all__ = [
    "FAMILY_KINDS",
    "FAMILY_METHODS",
    "RELATIONS",
    "Author",
    "Base",
    "Dataset",
    "Family",
    "FamilyBuild",
    "Format",
    "HarvestCursor",
    "HarvestLease",
    "HarvestRun",
    "IndexChange",
    "Language",
    "Library",
    "License",
    "LicenseClass",
    "Modality",
    "Model",
    "ModelDataset",
    "ModelDerivation",
    "ModelFamily",
    "ModelFamilyPath",
    "ModelFormat",
    "ModelLanguage",
    "ModelLineage",
    "ModelLink",
    "ModelMetric",
    "ModelModality",
    "ModelSighting",
    "ModelTag",
    "ModelTask",
    "ModelUsage",
    "ModelVersion",
    "Platform",
    "ProvenanceSet",
    "QuarantinedRecord",
    "RawRecord",
    "Tag",
    "Task",
    "Usage",
    "metadata",
]
