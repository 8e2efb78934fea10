#!/usr/bin/env python3
"""Runs attnclf train on the suite's splits with given --set lists and records the
VALIDATION accuracy of the checkpoint training picked (log.jsonl's best epoch), to
choose defaults on validation only. No test set is read.

usage: defaults_study.py OUT_CSV --corpora trec,subj --seeds 1,2 [--bin ./attnclf]
                         [--data /work/suite-data] [--jobs 2] SETTINGS...

Each SETTINGS is one run's assignments joined by spaces ("bayes.weight=0.2 train.epochs=10"),
or "defaults" (or "defaults@LABEL", to tell binaries apart: only the data keys set). Runs use train.threads=1 and --jobs at a time; a (corpus, settings, seed)
already in OUT_CSV is not run again. Prints the mean valid accuracy per corpus and settings.
"""
import argparse
import concurrent.futures as cf
import csv
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

FIELDS = ["corpus", "settings", "seed", "valid_acc", "valid_loss", "best_epoch", "epochs_run", "wall_s", "auto"]


def run(a, corpus, settings, seed):
    with open(os.path.join(a.data, corpus, "data.json")) as f:
        meta = json.load(f)
    tmp = tempfile.mkdtemp(prefix="dstudy-", dir=a.tmp)
    try:
        cfg = {"data": meta["data"], "output": {"dir": tmp + "/run"}}
        with open(tmp + "/config.json", "w") as f:
            json.dump(cfg, f)
        cmd = [a.bin, "train", "--config", tmp + "/config.json", "--set", f"train.seed={seed}",
               "--set", "train.threads=1"]
        for s in ([] if settings.startswith("defaults") else settings.split(" ")):
            cmd += ["--set", s]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)}: {p.stderr.strip()}")
        auto = " ".join(line for line in p.stderr.splitlines() if line.startswith("auto:"))
        with open(tmp + "/run/log.jsonl") as f:
            log = [json.loads(line) for line in f]
        best = max(range(len(log)), key=lambda i: (log[i]["valid_acc"], -log[i]["valid_loss"]))
        return dict(corpus=corpus, settings=settings, seed=str(seed), valid_acc=f"{log[best]['valid_acc']:.4f}",
                    valid_loss=f"{log[best]['valid_loss']:.4f}", best_epoch=str(best + 1),
                    epochs_run=str(len(log)), wall_s=f"{wall:.2f}", auto=auto)
    finally:
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("settings", nargs="+")
    ap.add_argument("--corpora", default="trec,subj,mr,sst5,agnews")
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--bin", default="./attnclf")
    ap.add_argument("--data", default="/work/suite-data")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tmp", default="/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir())
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    done = {}
    if os.path.exists(a.out):
        with open(a.out, newline="") as f:
            done = {(r["corpus"], r["settings"], r["seed"]): r for r in csv.DictReader(f)}
    todo = [(c, s, seed) for s in a.settings for c in a.corpora.split(",") for seed in a.seeds.split(",")
            if (c, s, seed) not in done]
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for row in ex.map(lambda t: run(a, *t), todo):
            new = not os.path.exists(a.out)
            with open(a.out, "a", newline="") as f:
                w = csv.DictWriter(f, FIELDS)
                if new:
                    w.writeheader()
                w.writerow(row)
            done[(row["corpus"], row["settings"], row["seed"])] = row
            print(f"{row['corpus']:7s} seed {row['seed']} valid {row['valid_acc']} ep {row['best_epoch']}/"
                  f"{row['epochs_run']} {row['wall_s']:>7s} s  {row['settings']}  {row['auto']}", flush=True)
    seeds = a.seeds.split(",")
    for s in a.settings:
        accs = []
        for c in a.corpora.split(","):
            v = [float(done[(c, s, x)]["valid_acc"]) for x in seeds if (c, s, x) in done]
            accs.append(f"{c} {statistics.mean(v):.4f}" if v else f"{c} -")
        print(f"{s:70s} " + "  ".join(accs))


if __name__ == "__main__":
    main()
