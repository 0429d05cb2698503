"""Bulk import of escalations from bank exports (API.md, "Import file columns").

``reading`` turns a file into rows and rows into escalation bodies; ``storing`` is the
use case (``escalations_import``), its job (``escalations_import_run``) and its upload,
which hand the rows to ``services.escalations_apply`` a chunk at a time. The names are
importable from here, as they were from the one module this package replaced.
"""

from legalcase.escalation_input import escalation_fast_validate  # noqa: F401
from legalcase.importing.blank import NOTES, import_template  # noqa: F401
from legalcase.importing.reading import (  # noqa: F401
    COLUMNS,
    EXTENSIONS,
    HEADERS,
    EscalationFile,
    ImportFileError,
    count_rows,
    detect_encoding,
    escalation_body,
    escalation_reasons,
    escalation_validate,
    table_rows,
)
from legalcase.importing.storing import (  # noqa: F401
    CHUNK_ROWS,
    ERRORS_HEADER,
    REJECTED_SHOWN,
    IMPORT_MAX_BYTES,
    errors_path,
    escalations_import,
    escalations_import_give_up,
    escalations_import_run,
    escalations_import_start,
    import_errors_file,
    import_rejected,
    IMPORT_FOLDER,
    stored_errors_name,
    import_user,
)
