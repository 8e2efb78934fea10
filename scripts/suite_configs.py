#!/usr/bin/env python3
"""The two configs a suite corpus is trained with (scripts/suite.sh,
scripts/tune_transfer.sh): only the data keys, as a user would start
(OUT_JSON), and with --whole only data.train, naming the training and validation
splits as one file written to WHOLE_PREFIX + the training file's extension (as
issue 12's table ran: attnclf splits its own tenth off it to choose the epoch
and, as its defaults have it, refits on all of it).

usage: suite_configs.py DATA_JSON RUN_DIR OUT_JSON [--whole WHOLE_PREFIX]"""
import json
import os
import sys


def main(argv):
    if len(argv) not in (4, 6) or (len(argv) == 6 and argv[4] != "--whole"):
        sys.exit(__doc__)
    d = json.load(open(argv[1]))["data"]
    if len(argv) == 6:
        ext = os.path.splitext(d["train"])[1]
        with open(argv[5] + ext, "w", encoding="utf-8") as out:
            for i, path in enumerate((d["train"], d.pop("valid"))):
                lines = open(path, encoding="utf-8").read().splitlines(True)
                out.writelines(lines[1:] if i and d.get("header") else lines)
        d["train"] = argv[5] + ext
    json.dump({"data": d, "output": {"dir": argv[2]}}, open(argv[3], "w"))


if __name__ == "__main__":
    main(sys.argv)
