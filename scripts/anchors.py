#!/usr/bin/env python3
"""Simple anchors on the suite's splits (scripts/suite_splits.py), run side by side on
this machine. Appends CSV rows (corpus, tool, setting, run, valid_acc, test_acc,
seconds, note) to OUT_CSV; `table` turns such a CSV into markdown.

usage: anchors.py svm      SPLIT_DIR CORPUS OUT_CSV
       anchors.py fasttext SPLIT_DIR CORPUS OUT_CSV [--threads T] [--reps R]
       anchors.py autotune SPLIT_DIR CORPUS OUT_CSV RUN [--threads T] [--duration S]
       anchors.py table    OUT_CSV

Protocol (every setting is chosen on the validation split; the test set only scores
the model trained as chosen):
  svm       TF-IDF word 1-2-grams (sublinear tf, single-character words kept) +
            LinearSVC, C from a small grid by validation accuracy, trained on the
            training split (the data attnclf trains on); for reference also refit on
            train+valid with the chosen C.
  fasttext  fastText 0.9.2 supervised, -wordNgrams 2, its defaults otherwise (dim 100,
            minCount 1, 2M buckets), 5 and 10 epochs, lr in {0.1, 0.25, 0.5, 1.0}.
            Reported: lr picked on validation (repeated R times: with more than one
            thread fastText's hogwild updates give different models every run), and,
            as the issue's reference only, the best of the 4 lr *on test*.
  autotune  fastText -autotune-validation on the validation split,
            -autotune-duration S; test accuracy of the model it keeps.
Times are wall seconds of the training command (fastText includes writing its .bin
and .vec; the SVM is vectorizing + fitting).
"""
import argparse
import csv
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FIELDS = ["corpus", "tool", "setting", "run", "valid_acc", "test_acc", "seconds", "note"]
LRS = [0.1, 0.25, 0.5, 1.0]
EPOCHS = [5, 10]
C_GRID = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def append(out, rows):
    new = not os.path.exists(out)
    with open(out, "a", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        if new:
            w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in FIELDS})
            print(",".join(str(r.get(k, "")) for k in FIELDS), file=sys.stderr)


def read_ft(path):
    labels, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            lab, _, text = line.rstrip("\n").partition(" ")
            labels.append(lab)
            texts.append(text)
    return labels, texts


def fmt(x):
    return f"{x:.4f}"


def run_svm(a):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC
    import numpy as np

    d = os.path.join(a.split_dir, a.corpus)
    ytr, xtr = read_ft(f"{d}/train.ft")
    yva, xva = read_ft(f"{d}/valid.ft")
    yte, xte = read_ft(f"{d}/test.ft")

    def fit(x, y, c):
        t0 = time.perf_counter()
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
        m = LinearSVC(C=c, max_iter=10000).fit(vec.fit_transform(x), y)
        return vec, m, time.perf_counter() - t0

    def acc(vec, m, x, y):
        return float(np.mean(m.predict(vec.transform(x)) == np.array(y)))

    rows, best = [], None
    for c in C_GRID:
        vec, m, sec = fit(xtr, ytr, c)
        va = acc(vec, m, xva, yva)
        rows.append(dict(corpus=a.corpus, tool="svm", setting=f"C={c}", run=1, valid_acc=fmt(va),
                         seconds=f"{sec:.2f}", note="grid"))
        if best is None or va > best[0]:
            best = (va, c, vec, m, sec)
    va, c, vec, m, sec = best
    rows.append(dict(corpus=a.corpus, tool="svm", setting=f"C={c}", run=1, valid_acc=fmt(va),
                     test_acc=fmt(acc(vec, m, xte, yte)), seconds=f"{sec:.2f}", note="valid-picked"))
    vec, m, sec = fit(xtr + xva, ytr + yva, c)
    rows.append(dict(corpus=a.corpus, tool="svm", setting=f"C={c}", run=1,
                     test_acc=fmt(acc(vec, m, xte, yte)), seconds=f"{sec:.2f}", note="refit train+valid"))
    append(a.out, rows)


def ft_test(model, path):
    out = subprocess.run(["fasttext", "test", model, path], check=True, capture_output=True, text=True).stdout
    return float(re.search(r"^P@1\s+(\S+)", out, re.M).group(1))


def ft_train(tmp, train, extra, threads, seed):
    t0 = time.perf_counter()
    subprocess.run(["fasttext", "supervised", "-input", train, "-output", f"{tmp}/m", "-thread", str(threads),
                    "-seed", str(seed), "-verbose", "0"] + extra, check=True)
    return f"{tmp}/m.bin", time.perf_counter() - t0


def run_fasttext(a):
    d = os.path.join(a.split_dir, a.corpus)
    tmp = tempfile.mkdtemp(prefix="anchors-ft-", dir=a.tmp)
    try:
        rows = []
        for ep in EPOCHS:
            grid = []
            for lr in LRS:
                extra = ["-wordNgrams", "2", "-epoch", str(ep), "-lr", str(lr)]
                model, sec = ft_train(tmp, f"{d}/train.ft", extra, a.threads, 1)
                va, te = ft_test(model, f"{d}/valid.ft"), ft_test(model, f"{d}/test.ft")
                grid.append((va, te, lr, sec))
                rows.append(dict(corpus=a.corpus, tool="fasttext", setting=f"epoch={ep} lr={lr}", run=1,
                                 valid_acc=fmt(va), test_acc=fmt(te), seconds=f"{sec:.2f}", note="grid"))
            va, te, lr, sec = max(grid, key=lambda g: g[0])
            rows.append(dict(corpus=a.corpus, tool="fasttext", setting=f"epoch={ep} lr={lr}", run=1,
                             valid_acc=fmt(va), test_acc=fmt(te), seconds=f"{sec:.2f}", note="valid-picked"))
            for run in range(2, a.reps + 1):
                extra = ["-wordNgrams", "2", "-epoch", str(ep), "-lr", str(lr)]
                model, sec = ft_train(tmp, f"{d}/train.ft", extra, a.threads, run)
                rows.append(dict(corpus=a.corpus, tool="fasttext", setting=f"epoch={ep} lr={lr}", run=run,
                                 valid_acc=fmt(ft_test(model, f"{d}/valid.ft")),
                                 test_acc=fmt(ft_test(model, f"{d}/test.ft")), seconds=f"{sec:.2f}",
                                 note="valid-picked"))
            va, te, lr, sec = max(grid, key=lambda g: g[1])
            rows.append(dict(corpus=a.corpus, tool="fasttext", setting=f"epoch={ep} lr={lr}", run=1,
                             valid_acc=fmt(va), test_acc=fmt(te), seconds=f"{sec:.2f}", note="test-picked"))
            if ep == 10:
                with open(f"{tmp}/trainvalid.ft", "w") as f:
                    for p in ("train", "valid"):
                        with open(f"{d}/{p}.ft") as g:
                            shutil.copyfileobj(g, f)
                lr = max(grid, key=lambda g: g[0])[2]
                extra = ["-wordNgrams", "2", "-epoch", str(ep), "-lr", str(lr)]
                model, sec = ft_train(tmp, f"{tmp}/trainvalid.ft", extra, a.threads, 1)
                rows.append(dict(corpus=a.corpus, tool="fasttext", setting=f"epoch={ep} lr={lr}", run=1,
                                 test_acc=fmt(ft_test(model, f"{d}/test.ft")), seconds=f"{sec:.2f}",
                                 note="refit train+valid"))
        append(a.out, rows)
    finally:
        shutil.rmtree(tmp)


def run_autotune(a):
    d = os.path.join(a.split_dir, a.corpus)
    tmp = tempfile.mkdtemp(prefix="anchors-at-", dir=a.tmp)
    try:
        # fastText 0.9.2's autotune starts its timer thread before it sets the flag the
        # thread loops on (Autotune::startTimer); when the thread looks first, it exits
        # at once and the search never ends (seen here: a 10 s budget on trec still
        # searching after 11 minutes, nothing on stderr). Its SIGINT handler still
        # ends the search and goes on to the final training with the best arguments,
        # so a search still running GRACE seconds after the budget gets one SIGINT.
        grace = 10
        log_path = f"{tmp}/log"
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        with open(log_path, "w") as log:
            p = subprocess.Popen(["fasttext", "supervised", "-input", f"{d}/train.ft", "-output", f"{tmp}/m",
                                  "-autotune-validation", f"{d}/valid.ft", "-autotune-duration", str(a.duration),
                                  "-thread", str(a.threads), "-verbose", "3"], stdout=log, stderr=log)
            interrupted = None
            while p.poll() is None:
                time.sleep(0.5)
                el = time.perf_counter() - t0
                if interrupted is None and el > a.duration + grace:
                    with open(log_path, errors="replace") as f:
                        if "Training again with best arguments" not in f.read():
                            p.send_signal(signal.SIGINT)
                            interrupted = el
            if p.returncode != 0:
                sys.exit(f"anchors.py: autotune on {a.corpus} failed (exit {p.returncode}), log {log_path}")
        sec = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        with open(log_path, errors="replace") as f:
            text = f.read().replace("\r", "\n")
        trials = re.findall(r"Trial = (\d+)", text)
        tail = text[text.find("Best selected args"):]
        best = dict(re.findall(r"^(epoch|lr|dim|wordNgrams|minn|maxn|bucket|loss) = (\S+)", tail, re.M))
        chosen = " ".join(f"{k}={v}" for k, v in best.items())
        size = os.path.getsize(f"{tmp}/m.bin") / 2**20
        # On a shared machine the budget is wall time: the CPU seconds say how much
        # search it bought (a quiet 2-core machine gives about 2 x duration).
        note = (f"duration {a.duration}s; {trials[-1] if trials else '?'} trials; cpu {cpu:.0f} s; "
                f"load {os.getloadavg()[1]:.1f}; model {size:.0f} MiB")
        if interrupted is not None:
            note += f"; fastText's timer failed, SIGINT at {interrupted:.0f} s"
        append(a.out, [dict(corpus=a.corpus, tool="autotune", setting=chosen, run=a.run,
                            valid_acc=fmt(ft_test(f"{tmp}/m.bin", f"{d}/valid.ft")),
                            test_acc=fmt(ft_test(f"{tmp}/m.bin", f"{d}/test.ft")), seconds=f"{sec:.1f}",
                            note=note)])
    finally:
        shutil.rmtree(tmp)


def done(a):
    """True when OUT_CSV already holds this step's rows (baselines.sh resumes)."""
    if not os.path.exists(a.out):
        return False
    with open(a.out, newline="") as f:
        for r in csv.DictReader(f):
            if r["corpus"] == a.corpus and r["tool"] == a.what and (a.what != "autotune" or r["run"] == str(a.run)):
                return True
    return False


def table(a):
    with open(a.out, newline="") as f:
        rows = list(csv.DictReader(f))
    corpora = list(dict.fromkeys(r["corpus"] for r in rows))

    def pick(c, tool, note, setting_prefix=""):
        return [r for r in rows if r["corpus"] == c and r["tool"] == tool and r["note"].startswith(note)
                and r["setting"].startswith(setting_prefix)]

    def accs(rs):
        v = [float(r["test_acc"]) for r in rs]
        if not v:
            return "—"
        if len(v) == 1:
            return f"{v[0]:.4f}"
        return f"{sum(v) / len(v):.4f} ({min(v):.3f}–{max(v):.3f})"

    def secs(rs):
        v = sorted(float(r["seconds"]) for r in rs)
        return f"{v[len(v) // 2]:.1f}" if v else "—"

    out = ["| corpus | SVM, C by valid | SVM refit train+valid | fastText 10 ep, lr by valid (runs) | "
           "fastText 5 ep, lr by valid (runs) | fastText 10 ep, best lr *on test* | fastText refit train+valid | "
           "fastText autotune (runs) |",
           "|---|---|---|---|---|---|---|---|"]
    for c in corpora:
        svm = pick(c, "svm", "valid-picked")
        svmr = pick(c, "svm", "refit")
        f10 = pick(c, "fasttext", "valid-picked", "epoch=10 ")
        f5 = pick(c, "fasttext", "valid-picked", "epoch=5 ")
        t10 = pick(c, "fasttext", "test-picked", "epoch=10 ")
        r10 = pick(c, "fasttext", "refit", "epoch=10 ")
        at = pick(c, "autotune", "")
        lr = lambda rs: rs[0]["setting"].split()[-1] if rs else ""  # noqa: E731
        out.append(f"| {c} | {accs(svm)} ({svm[0]['setting'] if svm else ''}, {secs(svm)} s) | {accs(svmr)} | "
                   f"{accs(f10)} ({lr(f10)}, {secs(f10)} s) | {accs(f5)} ({lr(f5)}, {secs(f5)} s) | "
                   f"{accs(t10)} ({lr(t10)}) | {accs(r10)} | "
                   f"{' / '.join(r['test_acc'] for r in at) or '—'} |")
    out.append("")
    out.append("Validation accuracy of the valid-picked settings (what chose them):")
    out.append("")
    out.append("| corpus | SVM | fastText 10 ep | fastText 5 ep | autotune (runs; fastText's pick) |")
    out.append("|---|---|---|---|---|")
    for c in corpora:
        v = lambda rs: " / ".join(r["valid_acc"] for r in rs) or "—"  # noqa: E731
        at = pick(c, "autotune", "")
        out.append(f"| {c} | {v(pick(c, 'svm', 'valid-picked'))} | {v(pick(c, 'fasttext', 'valid-picked', 'epoch=10 '))}"
                   f" | {v(pick(c, 'fasttext', 'valid-picked', 'epoch=5 '))} | "
                   + "; ".join(f"{r['valid_acc']} ({r['setting']}; {r['note']}; {r['seconds']} s)" for r in at)
                   + " |")
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["svm", "fasttext", "autotune", "table"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duration", type=int, default=120)
    ap.add_argument("--tmp", default=os.environ.get("TMPDIR", "/tmp"))
    a = ap.parse_args()
    if a.what == "table":
        (a.out,) = a.args
        return table(a)
    a.split_dir, a.corpus, a.out = a.args[:3]
    a.run = int(a.args[3]) if a.what == "autotune" else 1
    if done(a):
        print(f"anchors.py: {a.what} {a.corpus} run {a.run}: already in {a.out}", file=sys.stderr)
        return
    {"svm": run_svm, "fasttext": run_fasttext, "autotune": run_autotune}[a.what](a)


if __name__ == "__main__":
    main()
