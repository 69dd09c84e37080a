#!/usr/bin/env bash
# How the *.unruled.pdf renderings beside this file were made: the portal page
# as saved, printed to PDF by headless Chromium with one user style that drops
# the tables' borders, so the PDF has no ruling lines (what a page whose CSS
# draws no grid prints as, and what pdfplumber cannot find as a table).
#
#   tests/gold/real/render_unruled_pdf.sh shuyang-fgj-2023
set -euo pipefail
cd "$(dirname "$0")"
slug=$1
tmp=$(mktemp --suffix=.html)
trap 'rm -f "$tmp"' EXIT
sed 's#</head>#<style>table,tr,td,th{border:none !important;border-collapse:separate !important} td,th{border-width:0 !important}</style></head>#' \
    "$slug.html" > "$tmp"
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$slug.unruled.pdf" "file://$tmp" 2>/dev/null
