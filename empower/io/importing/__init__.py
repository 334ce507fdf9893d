"""Importing a file of one kind through the core services, row by row, with row-level errors.

The package, in the order a file goes through it:

- :mod:`~empower.io.reading` (beside it) opens a CSV or XLSX file as rows;
- :mod:`.headers` maps the header to the kind's canonical columns (:mod:`.columns`, the file
  contract shared with the exports and templates);
- :mod:`.cells` parses each cell (dates, amounts through the core's one centimes conversion,
  yes/no, provinces, vocabularies);
- :mod:`.run` is the loop: keys, repeats, modes, the report (:mod:`.report`);
- :mod:`.kinds` holds each kind's upsert policy, one module per kind, writing through the
  services; what an import may not change is refused by the services themselves
  (:mod:`empower.services.corrections`).
"""

from empower.io.importing.report import ImportReport, Rejection
from empower.io.importing.run import MODES, import_file

__all__ = ["MODES", "ImportReport", "Rejection", "import_file"]
