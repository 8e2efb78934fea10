#!/usr/bin/env python3
"""calibration_oracle.py WORK SEED...: the table of scripts/calibration_oracle.sh.

WORK/sSEED/{valid_sent,dev}.{json,labels}: attnclf predict --json --top-k 2 of the
uncalibrated model, and the labels ("0"/"1"). ECE as attnclf's (15 equal bins of the
top label's probability); temperatures and Platt scales minimise the log loss."""
import json
import math
import sys

import numpy as np
from scipy.optimize import minimize
from sklearn.isotonic import IsotonicRegression


def load(d, name):
    gaps, member = [], []
    for line in open(f"{d}/{name}.json"):
        j = json.loads(line)
        member.append(j["bayes"]["1"] - j["bayes"]["0"] if "bayes" in j else 0.0)
        p = {t["label"]: t["prob"] for t in j["top"]}
        p1 = min(max(p.get("1", 0.0), 1e-12), 1 - 1e-12)
        p0 = min(max(p.get("0", 0.0), 1e-12), 1 - 1e-12)
        gaps.append(math.log(p1) - math.log(p0))
    y = [1.0 if l.strip() == "1" else 0.0 for l in open(f"{d}/{name}.labels")]
    return np.array(gaps), np.array(y), np.array(member)


def sig(x):
    return 1 / (1 + np.exp(-x))


def ece(p1, y, bins=15):
    conf = np.maximum(p1, 1 - p1)
    acc = ((p1 >= 0.5) == (y == 1)).astype(float)
    b = np.minimum((conf * bins).astype(int), bins - 1)
    return sum((b == k).sum() / len(y) * abs(acc[b == k].mean() - conf[b == k].mean()) for k in range(bins) if (b == k).any())


def nll(p1, y):
    p1 = np.clip(p1, 1e-15, 1 - 1e-15)
    return -np.mean(y * np.log(p1) + (1 - y) * np.log(1 - p1))


def fit_t(d, y):
    return math.exp(minimize(lambda t: nll(sig(d / math.exp(t[0])), y), [0.0]).x[0])


def fit_ab(d, y):
    return minimize(lambda t: nll(sig(t[0] * d + t[1]), y), [1.0, 0.0]).x


def fit_two(d, m, y):
    """Scales of the network's and the member's logit gaps (d - m and m), fitted apart."""
    return minimize(lambda t: nll(sig(t[0] * (d - m) + t[1] * m), y), [1.0, 1.0]).x


def main():
    work, seeds = sys.argv[1], sys.argv[2:]
    print("| seed | dev ECE: none | T fitted on the held-out sentences | T fitted on dev (oracle) |"
          " Platt, held-out | Platt, dev (oracle) | isotonic, held-out | network and member scaled apart, held-out |"
          " the same, dev (oracle) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in seeds:
        d = f"{work}/s{s}"
        dv, yv, mv = load(d, "valid_sent")
        dd, yd, md = load(d, "dev")
        (sn, sm), (sno, smo) = fit_two(dv, mv, yv), fit_two(dd, md, yd)
        t, to = fit_t(dv, yv), fit_t(dd, yd)
        (a, b), (ao, bo) = fit_ab(dv, yv), fit_ab(dd, yd)
        corr = ((dv >= 0) == (yv == 1)).astype(float)
        iso = IsotonicRegression(y_min=0.5, y_max=1.0, out_of_bounds="clip").fit(sig(np.abs(dv)), corr)
        c = np.clip(iso.predict(sig(np.abs(dd))), 0.5, 1 - 1e-6)
        print(f"| {s} | {ece(sig(dd), yd):.4f} | {ece(sig(dd / t), yd):.4f} (T {t:.2f}) |"
              f" {ece(sig(dd / to), yd):.4f} (T {to:.2f}) | {ece(sig(a * dd + b), yd):.4f} |"
              f" {ece(sig(ao * dd + bo), yd):.4f} | {ece(np.where(dd >= 0, c, 1 - c), yd):.4f} |"
              f" {ece(sig(sn * (dd - md) + sm * md), yd):.4f} ({sn:.2f}, {sm:.2f}) |"
              f" {ece(sig(sno * (dd - md) + smo * md), yd):.4f} ({sno:.2f}, {smo:.2f}) |")


if __name__ == "__main__":
    main()
