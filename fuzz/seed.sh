#!/usr/bin/env bash
# Seed the corpus with the workbooks of the sample data and of a test run's fixtures.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/read_workbook
i=0
for f in ../data/*/*.xlsx ../../shared/examples/*.xlsx; do
  [ -f "$f" ] || continue
  cp "$f" "corpus/read_workbook/seed-$i"; i=$((i+1))
done
echo "seeded $i files"
