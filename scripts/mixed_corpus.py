#!/usr/bin/env python3
"""Writes a synthetic CSV (label,text) that is mostly not ASCII, for measuring
the version-2 tokenizer where its fast path helps least: even rows are 300
random CJK ideographs, hiragana and CJK punctuation; odd rows are 100 words
drawn from accented Latin, Greek and Cyrillic words. Seeded, so every run
writes the same bytes.

usage: scripts/mixed_corpus.py OUT.csv [ROWS]   (ROWS: 5000)
"""
import csv
import random
import sys


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    rng = random.Random(1)
    cjk = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)] + [chr(c) for c in range(0x3041, 0x3097)] + list('，。「」、')
    words = ['café', 'naïve', 'Straße', 'résumé', 'über', 'ÉTÉ', 'coöperate', 'Ελλάδα', 'Москва']
    with open(out, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f)
        w.writerow(['label', 'text'])
        for i in range(rows):
            if i % 2 == 0:
                text = ''.join(rng.choice(cjk) for _ in range(300))
            else:
                text = ' '.join(rng.choice(words) for _ in range(100))
            w.writerow(['a', text])


if __name__ == '__main__':
    main()
