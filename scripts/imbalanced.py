#!/usr/bin/env python3
"""An imbalanced binary corpus from subj, reproducibly from a seed.

Keeps every row of label 0 and a random sample of label 1 rows so that label 1
is --positive (default 10%) of the rows, for train.csv and test.csv alike; then
splits the imbalanced train rows into train_part.csv and valid.csv (--valid,
default 10%, stratified so both parts keep the ratio). Rows keep their original
order. Writes OUT/train_part.csv, OUT/valid.csv and OUT/test.csv (header label,text).

usage: imbalanced.py SUBJ_DIR OUT [--seed S] [--positive P] [--valid V]
"""
import argparse
import csv
import os
import random


def read(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        return header, [row for row in r]


def imbalance(rows, positive, rng):
    neg = [i for i, r in enumerate(rows) if r[0] == "0"]
    pos = [i for i, r in enumerate(rows) if r[0] == "1"]
    k = round(len(neg) * positive / (1 - positive))
    keep = set(neg) | set(rng.sample(pos, k))
    return [r for i, r in enumerate(rows) if i in keep]


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("subj")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--positive", type=float, default=0.1)
    ap.add_argument("--valid", type=float, default=0.1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    header, train = read(os.path.join(a.subj, "train.csv"))
    _, test = read(os.path.join(a.subj, "test.csv"))
    train = imbalance(train, a.positive, rng)
    test = imbalance(test, a.positive, rng)
    held = set()
    for label in ("0", "1"):
        idx = [i for i, r in enumerate(train) if r[0] == label]
        held |= set(rng.sample(idx, round(len(idx) * a.valid)))
    os.makedirs(a.out, exist_ok=True)
    write(os.path.join(a.out, "train_part.csv"), header, [r for i, r in enumerate(train) if i not in held])
    write(os.path.join(a.out, "valid.csv"), header, [r for i, r in enumerate(train) if i in held])
    write(os.path.join(a.out, "test.csv"), header, test)


main()
