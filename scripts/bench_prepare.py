#!/usr/bin/env python3
"""Converts a corpus to fastText's input the way fastText's own
classification-example.sh does (lowercase, punctuation split off, <br /> removed),
and writes the bare text lines used for prediction throughput.

usage: bench_prepare.py csv|tsv IN LABEL_COL TEXT_COL OUT_FT OUT_TEXT
"""
import csv
import re
import sys

# fastText's normalize_text(): tr upper lower; s/'/ ' /g; s/"//g; s/\./ \. /g;
# s/<br \/>/ /g; s/,/ , /g; s/(/ ( /g; s/)/ ) /g; s/\!/ \! /g; s/\?/ \? /g;
# s/\;/ /g; s/\:/ /g; tr -s " "
SUBS = [("'", " ' "), ('"', ""), (".", " . "), ("<br />", " "), (",", " , "), ("(", " ( "),
        (")", " ) "), ("!", " ! "), ("?", " ? "), (";", " "), (":", " ")]


def normalize(text):
    text = text.lower()
    for a, b in SUBS:
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip()


def rows(kind, path, label_col, text_col):
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        if kind == "csv":
            reader = csv.DictReader(f)
        else:
            reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        for r in reader:
            yield r[label_col].strip(), r[text_col]


def main():
    kind, src, label_col, text_col, out_ft, out_text = sys.argv[1:7]
    with open(out_ft, "w", encoding="utf-8") as ft, open(out_text, "w", encoding="utf-8") as tx:
        for label, text in rows(kind, src, label_col, text_col):
            norm = normalize(text)
            ft.write(f"__label__{label} {norm}\n")
            tx.write(text.replace("\n", " ").replace("\r", " ") + "\n")


if __name__ == "__main__":
    main()
