-- MARC import (issue 3): finding records across the network that share a standard number, so
-- an imported record joins the work its other copies already belong to (GET-1).
CREATE INDEX bib_records_isbns ON bib_records USING gin (isbns);
CREATE INDEX bib_records_issns ON bib_records USING gin (issns);
CREATE INDEX bib_records_oclc_numbers ON bib_records USING gin (oclc_numbers);
