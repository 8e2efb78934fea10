#!/usr/bin/env python3
"""scale_corpus.py SRC.csv K OUT.csv: the CSV's data rows repeated K times, each
copy's texts ending in a token of its own (" copyk"), so that copies are not
byte-identical; the header is kept once. For the memory table of
scripts/bench_scale.sh (IMDB x1, x4, x16)."""
import csv
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    csv.field_size_limit(1 << 30)
    with open(src, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    text = header.index("text")
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for copy in range(k):
            for r in data:
                r = list(r)
                if k > 1:
                    r[text] = f"{r[text]} copy{copy}"
                w.writerow(r)


main()
