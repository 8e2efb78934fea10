#!/usr/bin/env python3
"""Train/validation/test splits of the public suite, for choosing settings on
validation only.

usage: suite_splits.py OUT_DIR [DATA_DIR] [--seed N]     (DATA_DIR defaults to ../shared/data)

Validation always comes out of the TRAINING data; the test sets stay as given:
  trec, subj, mr   train file -> 90/10 train/valid, stratified by label, --seed
  sst5             train.tsv / dev.tsv (as valid) / test.tsv, as given
  agnews           data/agnews-sample/train.csv -> 90/10 train/valid; the sample's
                   valid.csv is the test set (it is what the issue's table scored,
                   and the shipped defaults were picked on it, so it must not pick
                   settings here)
  imdb             train.csv -> 90/10 train/valid; test.csv as test
  sst2             scripts/sst2_split.py (1,000 whole held-out sentences, their
                   sub-phrases removed from training); dev.tsv as test

Writes OUT_DIR/CORPUS/{train,valid,test}.{tsv|csv} in the corpus' own format
(rows copied verbatim for TSV; CSV rows re-quoted by Python's csv module),
OUT_DIR/CORPUS/{train,valid,test}.ft (fastText input, normalised as fastText's
classification-example.sh does, see bench_prepare.py), OUT_DIR/CORPUS/data.json
(attnclf's data keys for that corpus, paths absolute) and OUT_DIR/SHA256SUMS.
The same seed gives the same bytes.
"""
import argparse
import csv
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_prepare import normalize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def stratified_valid(labels, fraction, seed):
    """Indexes of the validation rows: round(fraction * n) of each label, drawn by seed."""
    rng = random.Random(seed)
    by_label = {}
    for i, lab in enumerate(labels):
        by_label.setdefault(lab, []).append(i)
    valid = set()
    for lab in sorted(by_label):
        idx = by_label[lab]
        valid.update(rng.sample(idx, round(fraction * len(idx))))
    return valid


def read_tsv_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines[0], lines[1:]


def write_lines(path, header, lines):
    with open(path, "w", encoding="utf-8", newline="") as f:
        if header is not None:
            f.write(header + "\n")
        for line in lines:
            f.write(line + "\n")


def read_csv_rows(path, header):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return (rows[0], rows[1:]) if header else (None, rows)


def write_csv_rows(path, head, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if head is not None:
            w.writerow(head)
        w.writerows(rows)


def write_ft(path, pairs):
    with open(path, "w", encoding="utf-8") as f:
        for label, text in pairs:
            f.write(f"__label__{label} {normalize(text)}\n")


class Corpus:
    """One corpus: kind (tsv|csv), header, label index, text indexes, and rows per split."""

    def __init__(self, name, kind, header, label, texts, data_keys):
        self.name, self.kind, self.header = name, kind, header
        self.label, self.texts, self.data_keys = label, texts, data_keys
        self.splits = {}

    def pairs(self, rows):
        for r in rows:
            cells = r.split("\t") if self.kind == "tsv" else r
            yield cells[self.label].strip(), " ".join(cells[i] for i in self.texts)

    def labels(self, rows):
        return [lab for lab, _ in self.pairs(rows)]


def split_rows(rows, valid_idx):
    return ([r for i, r in enumerate(rows) if i not in valid_idx],
            [r for i, r in enumerate(rows) if i in valid_idx])


def build(a):
    d = a.data
    out = []

    def tsv_corpus(name, header_line, label_name, text_name):
        cols = header_line.split("\t")
        return Corpus(name, "tsv", header_line, cols.index(label_name), [cols.index(text_name)],
                      {"format": "tsv", "header": True, "label_column": label_name,
                       "text_columns": [text_name]})

    # trec: 90/10 of train.tsv
    head, rows = read_tsv_lines(f"{d}/trec/train.tsv")
    c = tsv_corpus("trec", head, "label", "text")
    tr, va = split_rows(rows, stratified_valid(c.labels(rows), 0.1, a.seed))
    c.splits = {"train": tr, "valid": va, "test": read_tsv_lines(f"{d}/trec/test.tsv")[1]}
    out.append(c)

    # subj, mr: 90/10 of train.csv
    for name in ("subj", "mr"):
        head, rows = read_csv_rows(f"{d}/{name}/train.csv", True)
        c = Corpus(name, "csv", head, head.index("label"), [head.index("text")],
                   {"format": "csv", "header": True, "label_column": "label", "text_columns": ["text"]})
        tr, va = split_rows(rows, stratified_valid(c.labels(rows), 0.1, a.seed))
        c.splits = {"train": tr, "valid": va, "test": read_csv_rows(f"{d}/{name}/test.csv", True)[1]}
        out.append(c)

    # sst5: as given
    head, rows = read_tsv_lines(f"{d}/sst5/train.tsv")
    c = tsv_corpus("sst5", head, "label", "text")
    c.splits = {"train": rows, "valid": read_tsv_lines(f"{d}/sst5/dev.tsv")[1],
                "test": read_tsv_lines(f"{d}/sst5/test.tsv")[1]}
    out.append(c)

    # agnews sample: 90/10 of its train.csv; its valid.csv is the test set
    _, rows = read_csv_rows(f"{a.sample}/train.csv", False)
    c = Corpus("agnews", "csv", None, 0, [1, 2],
               {"format": "csv", "header": False, "label_column": 0, "text_columns": [1, 2]})
    tr, va = split_rows(rows, stratified_valid(c.labels(rows), 0.1, a.seed))
    c.splits = {"train": tr, "valid": va, "test": read_csv_rows(f"{a.sample}/valid.csv", False)[1]}
    out.append(c)

    # imdb: 90/10 of train.csv
    head, rows = read_csv_rows(f"{d}/imdb/train.csv", True)
    c = Corpus("imdb", "csv", head, head.index("label"), [head.index("text")],
               {"format": "csv", "header": True, "label_column": "label", "text_columns": ["text"]})
    tr, va = split_rows(rows, stratified_valid(c.labels(rows), 0.1, a.seed))
    c.splits = {"train": tr, "valid": va, "test": read_csv_rows(f"{d}/imdb/test.csv", True)[1]}
    out.append(c)

    # sst2: sentence-level split by scripts/sst2_split.py (its own seed, as shipped)
    tmp = os.path.join(a.out, "sst2", "split")
    subprocess.run([sys.executable, f"{HERE}/sst2_split.py", "--train", f"{d}/sst2/train.tsv", "--out", tmp],
                   check=True)
    head, tr = read_tsv_lines(f"{tmp}/train_part.tsv")
    c = tsv_corpus("sst2", head, "label", "sentence")
    c.splits = {"train": tr, "valid": read_tsv_lines(f"{tmp}/valid_sent.tsv")[1],
                "test": read_tsv_lines(f"{d}/sst2/dev.tsv")[1]}
    shutil.rmtree(tmp)
    out.append(c)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("data", nargs="?", default="../shared/data")
    ap.add_argument("--sample", default=os.path.join(REPO, "data", "agnews-sample"))
    ap.add_argument("--seed", type=int, default=12345)
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)
    os.makedirs(a.out, exist_ok=True)
    sums = []
    for c in build(a):
        cdir = os.path.join(a.out, c.name)
        os.makedirs(cdir, exist_ok=True)
        data = dict(c.data_keys)
        for split, rows in c.splits.items():
            path = os.path.join(cdir, f"{split}.{c.kind}")
            if c.kind == "tsv":
                write_lines(path, c.header, rows)
            else:
                write_csv_rows(path, c.header, rows)
            write_ft(os.path.join(cdir, f"{split}.ft"), c.pairs(rows))
            if split != "test":
                data[split] = path
            for p in (path, os.path.join(cdir, f"{split}.ft")):
                with open(p, "rb") as f:
                    sums.append(f"{hashlib.sha256(f.read()).hexdigest()}  {os.path.relpath(p, a.out)}")
            print(f"{c.name:7s} {split:5s} {len(rows):6d} rows", file=sys.stderr)
        meta = {"data": data, "test": os.path.join(cdir, f"test.{c.kind}")}
        with open(os.path.join(cdir, "data.json"), "w") as f:
            json.dump(meta, f, indent=1)
    with open(os.path.join(a.out, "SHA256SUMS"), "w") as f:
        f.write("\n".join(sums) + "\n")


if __name__ == "__main__":
    main()
