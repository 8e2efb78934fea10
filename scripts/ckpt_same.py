#!/usr/bin/env python3
"""ckpt_same.py A B [--ignore TAG]...: exit 0 when two checkpoints (format 4)
hold the same sections with the same bytes, apart from the sections ignored
(e.g. CONF, the resolved config, which names output.dir and new config keys).
Prints the sections that differ."""
import struct
import sys


def sections(path):
    data = open(path, "rb").read()
    if data[:8] != b"ATTNCLF\x1a":
        sys.exit(f"{path}: not a checkpoint")
    version, = struct.unpack_from("<I", data, 8)
    if version != 4:
        sys.exit(f"{path}: format {version}, this script reads 4")
    dir_off, n = struct.unpack_from("<QI", data, 24)
    out = {}
    for i in range(n):
        tag, ver, off, length = struct.unpack_from("<4sIQQ", data, dir_off + 24 * i)
        out[tag.decode()] = (ver, data[off:off + length])
    return out


def main():
    args = sys.argv[1:]
    ignore = set()
    while "--ignore" in args:
        i = args.index("--ignore")
        ignore.add(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    a, b = sections(args[0]), sections(args[1])
    differ = [t for t in sorted(set(a) | set(b)) if t not in ignore and a.get(t) != b.get(t)]
    for t in differ:
        print(f"section {t} differs")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
