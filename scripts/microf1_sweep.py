#!/usr/bin/env python3
"""Exact micro-F1 sweep over one global threshold, counted as fastText's `test`
counts (src/meter.cc): gold = the line's labels the model knows (duplicates
kept), predicted = every (line, label) with prob >= t, lines with no known label
skipped.

usage: microf1_sweep.py LABELLED.txt PREDICT_PROB.txt KNOWN_LABELS.txt [T]
  PREDICT_PROB.txt is `fasttext predict-prob MODEL LABELLED.txt -1` (one line per
  input line). Without T: prints the threshold maximising micro-F1 and P, R, F1
  there. With T: prints P, R, F1 at T (to score a threshold picked elsewhere).
"""
import sys


def load(labelled, probs, known):
    pairs, gold = [], 0
    with open(labelled) as fl, open(probs) as fp:
        for line, pred in zip(fl, fp):
            labels = [w for w in line.split() if w.startswith("__label__") and w in known]
            if not labels:
                continue
            gold += len(labels)
            toks = pred.split()
            for i in range(0, len(toks), 2):
                pairs.append((float(toks[i + 1]), toks[i] in labels))
    return pairs, gold


def prf(tp, npred, gold):
    p = tp / npred if npred else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    labelled, probs, known_file = sys.argv[1:4]
    known = set(open(known_file).read().split())
    pairs, gold = load(labelled, probs, known)
    if len(sys.argv) > 4:
        t = float(sys.argv[4])
        tp = sum(1 for p, hit in pairs if p >= t)
        hits = sum(1 for p, hit in pairs if p >= t and hit)
        print("t %.5f P %.4f R %.4f F1 %.4f" % ((t,) + prf(hits, tp, gold)))
        return
    pairs.sort(key=lambda x: -x[0])
    best, tp, i = (-1.0, 0.0, 0.0, 1.0), 0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            tp += pairs[j][1]
            j += 1
        p, r, f = prf(tp, j, gold)
        if f > best[0]:
            best = (f, p, r, pairs[i][0])
        i = j
    print("t %.5f P %.4f R %.4f F1 %.4f" % (best[3], best[1], best[2], best[0]))


main()
