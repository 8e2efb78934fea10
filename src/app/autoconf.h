/* autoconf.h - the values of the config keys whose default is "auto", as pure
 * functions of the training split's statistics. pipeline.c applies them once the
 * corpus is read; a value set in a config file or with --set always wins. The
 * rules and their thresholds were chosen on the validation splits of the public
 * suite (README.md, "Defaults"; scripts/defaults_study.py, bench/suite.md). */
#ifndef ATTNCLF_AUTOCONF_H
#define ATTNCLF_AUTOCONF_H

#include <stdint.h>

#include "dataset.h"

typedef struct AutoStats {
    int64_t docs;       /* training documents */
    double mean_words;  /* tokens per training document, before n-grams */
    int classes;
} AutoStats;

/* The statistics of a training Dataset whose rows 0..unk_row are words (or UNK)
 * and the rest n-gram buckets; a character n-gram bag counts as its word. */
AutoStats autoconf_stats(const Dataset *train, int64_t unk_row, int classes);
/* The same in parts: the words of a Dataset (a slice of the training set: its
 * offsets need not start at 0), and the statistics of docs documents holding them. */
int64_t autoconf_words(const Dataset *ds, int64_t unk_row);
AutoStats autoconf_stats_of(int64_t docs, int64_t words, int classes);

/* Below this many tokens per document, dropping tokens while training removes
 * too much of each document's evidence. */
#define AUTOCONF_SHORT_WORDS 15.0
/* model.token_dropout: 0 for short documents, else 0.2. */
double autoconf_token_dropout(const AutoStats *s);
/* model.context and model.gate (with dot attention): on for short documents,
 * where which word comes after a "but" or a "not" is much of what there is. */
int autoconf_context(const AutoStats *s);

/* From this many tokens per document on, the naive Bayes member's log-odds (a
 * sum over every n-gram of the document) need a smaller weight not to swamp the
 * network's logits. */
#define AUTOCONF_LONG_WORDS 100.0
/* bayes.weight: 0.2 below AUTOCONF_LONG_WORDS tokens per document, else 0.05. */
double autoconf_bayes_weight(const AutoStats *s);

/* train.epochs: about AUTOCONF_PASSES documents seen, between 5 and 10 epochs. */
#define AUTOCONF_PASSES 100000
int autoconf_epochs(const AutoStats *s);

#endif
