#!/usr/bin/env bash
# The briefing officer's quick start, in a virtual environment made from requirements.txt
# alone, the way `make setup` makes it: the test environment holds the dev packages and would
# hide a run-time dependency that only they bring (issue 9: playwright once was one).
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
make --no-print-directory setup VENV="$work/venv"
if "$work/venv/bin/python" -c "import pytest" 2>/dev/null; then
  echo "ci_quickstart: pytest is in the run-time environment; it must be made from requirements.txt alone" >&2
  exit 1
fi
for fmt in pdf png pptx; do
  HUMANSEC_DATA_DIR="$work/data" "$work/venv/bin/python" -m humansec export --out "$work/ci-brief.$fmt"
done
# Read with the test environment's pypdf: the run-time one has no PDF reader, nor needs one.
.venv/bin/python - "$work/ci-brief.pdf" <<'PY'
import sys

from pypdf import PdfReader

import zipfile
from pathlib import Path

pdf = Path(sys.argv[1])
assert pdf.with_suffix(".png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
with zipfile.ZipFile(pdf.with_suffix(".pptx")) as slides:
    assert "ppt/slides/slide1.xml" in slides.namelist(), "not a PowerPoint deck"
text = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
banner = "EXERCISE - NATO UNCLASSIFIED - EXERCISE"
count = text.count(banner)
if count < 2:
    sys.exit(f"ci_quickstart: the PDF holds the banner {banner!r} {count} times, not top and bottom")
print(f"ci_quickstart: PDF, PNG and PPTX written from requirements.txt alone, banner top and bottom ({count}x)")
PY
