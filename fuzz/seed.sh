#!/usr/bin/env bash
# Seed the corpus with the sample workbooks, the examples, the fuzz regression fixtures and,
# where LibreOffice is installed, .ods and .xls copies of a few of them.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/read_workbook
i=0
for f in ../data/*/*.xlsx ../../shared/examples/*.xlsx ../tests/fixtures/fuzz/* ../tests/fixtures/xls/*; do
  [ -f "$f" ] || continue
  cp "$f" "corpus/read_workbook/seed-$i"; i=$((i+1))
done
if command -v soffice >/dev/null; then
  tmp=$(mktemp -d)
  for fmt in ods xls; do
    soffice -env:UserInstallation=file://$tmp/profile --headless --convert-to $fmt --outdir "$tmp/$fmt" \
      ../data/2015-05/*.xlsx ../data/2015-07/2015-07源汇区.xlsx ../data/2015-12/*召陵区.xlsx >/dev/null 2>&1 || true
    for f in "$tmp/$fmt"/*; do [ -f "$f" ] && cp "$f" "corpus/read_workbook/seed-$i" && i=$((i+1)); done
  done
  rm -rf "$tmp"
fi
echo "seeded $i files"
