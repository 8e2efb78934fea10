#!/usr/bin/env python3
"""Sentence-level validation split of SST-2's phrase-level train.tsv.

SST-2's train.tsv holds (sub)phrases of ~6.9k training sentences; dev.tsv holds
whole sentences. A random phrase split (valid_fraction) validates on sub-phrases
of sentences whose other phrases are in training, which overstates accuracy.

This script:
  1. finds "maximal" phrases: rows not contained (token-wise, contiguous) in any
     longer training row; those with >= --min-tokens tokens look like sentences;
  2. holds out --n of them (random, --seed) as valid_sent.tsv;
  3. removes from training every phrase that is a token-wise sub-span of a
     held-out sentence. Two rules:
       default ("mirror"): remove it unless it is also a sub-span of some
         remaining maximal phrase (i.e. of a training sentence). This is exactly
         the relation dev.tsv has to train.tsv: a dev sentence's sub-phrases are
         in train only when they occur in some training sentence too.
       --strict: remove every sub-span of a held-out sentence, even common ones
         ("the film", "good") that also occur in training sentences.
Writes OUT/train_part.tsv and OUT/valid_sent.tsv with the same header.

configs/sst2.json's settings were chosen on this split, never on dev.tsv:
  python3 scripts/sst2_split.py
  attnclf train --config configs/sst2.json --set data.train=runs/sst2-split/train_part.tsv \
      --set data.valid=runs/sst2-split/valid_sent.tsv --set output.dir=runs/sst2-tune
"""
import argparse
import os
import random
import sys


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n")
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            text, label = line.rsplit("\t", 1)
            rows.append((text, label))
    return header, rows


def spans(tokens, proper):
    n = len(tokens)
    for i in range(n):
        for j in range(i + 1, n + 1):
            if proper and i == 0 and j == n:
                continue
            yield " ".join(tokens[i:j])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default="../shared/data/sst2/train.tsv")
    ap.add_argument("--out", default="runs/sst2-split")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--min-tokens", type=int, default=8)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--strict", action="store_true")
    a = ap.parse_args()

    header, rows = read_tsv(a.train)
    toks = [r[0].split() for r in rows]
    keys = [" ".join(t) for t in toks]
    phrase_set = set(keys)

    # 1. phrases contained in a longer phrase
    contained = set()
    for t in toks:
        for s in spans(t, proper=True):
            if s in phrase_set:
                contained.add(s)
    maximal = [i for i, k in enumerate(keys) if k not in contained]
    cand = [i for i in maximal if len(toks[i]) >= a.min_tokens]
    # one row per distinct text
    seen, uniq = set(), []
    for i in cand:
        if keys[i] not in seen:
            seen.add(keys[i])
            uniq.append(i)
    rng = random.Random(a.seed)
    held = sorted(rng.sample(uniq, min(a.n, len(uniq))))
    held_keys = {keys[i] for i in held}

    # 2. sub-spans of held-out sentences
    held_spans = set()
    for i in held:
        held_spans.update(spans(toks[i], proper=False))
    if not a.strict:
        kept_spans = set()
        for i in maximal:
            if keys[i] in held_keys:
                continue
            for s in spans(toks[i], proper=False):
                if s in held_spans:
                    kept_spans.add(s)
        remove = held_spans - kept_spans
    else:
        remove = held_spans

    train_part = [r for r, k in zip(rows, keys) if k not in remove and k not in held_keys]
    valid = [rows[i] for i in held]
    os.makedirs(a.out, exist_ok=True)
    for name, data in (("train_part.tsv", train_part), ("valid_sent.tsv", valid)):
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            f.write(header + "\n")
            for text, label in data:
                f.write(f"{text}\t{label}\n")
    removed = len(rows) - len(train_part)
    vpos = sum(1 for _, l in valid if l == "1")
    print(f"rows {len(rows)}; maximal phrases {len(maximal)}; sentence-like (>= {a.min_tokens} tokens) {len(uniq)}",
          file=sys.stderr)
    print(f"valid_sent {len(valid)} rows ({vpos / max(1, len(valid)):.3f} positive); "
          f"train_part {len(train_part)} rows ({removed} removed, rule {'strict' if a.strict else 'mirror'})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
