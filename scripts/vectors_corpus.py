#!/usr/bin/env python3
"""Unlabelled movie-review text for word vectors, one document a line.

IMDB's training reviews (text only: labels, ratings and the test file are never
read) and SST-2's training phrases, split as SST-2 is split: lowercased, "<br />"
dropped, clitics ("n't", "'s", "'re", ...) and each punctuation mark a token of their
own, so that fastText's vectors are spelled as attnclf tokenizes SST-2.
--imdb-only leaves SST-2 out (its phrases are Rotten Tomatoes snippets, as are MR's
and SST-5's test sentences: for vectors used on those corpora).

usage: scripts/vectors_corpus.py DATA_DIR OUT [--imdb-only]
"""
import csv
import re
import sys

TOKEN = re.compile(r"n't|'s|'re|'ve|'ll|'d|'m|\w+|[^\w\s]")
NOT = re.compile(r"(\w)n't\b")


def tokens(text):
    text = NOT.sub(r"\1 n't", text.replace("<br />", " ").lower())
    return " ".join(TOKEN.findall(text))


def main():
    args = [a for a in sys.argv[1:] if a != "--imdb-only"]
    if len(args) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    data, out_path = args
    imdb_only = len(args) != len(sys.argv) - 1
    csv.field_size_limit(1 << 30)
    with open(out_path, "w", encoding="utf-8") as out:
        with open(f"{data}/imdb/train.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                out.write(tokens(row["text"]) + "\n")
        if imdb_only:
            return
        with open(f"{data}/sst2/train.tsv", encoding="utf-8") as f:
            next(f)
            for line in f:
                out.write(line.rsplit("\t", 1)[0].strip() + "\n")


if __name__ == "__main__":
    main()
