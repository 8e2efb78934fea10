/* config.h - the resolved configuration: each key's default in the key table,
 * then a JSON file, then --set overrides, then validation. The same table drives
 * loading, --set, the nearest-key suggestion and printing, so a key exists in
 * exactly one place. A Config holds the modules' own option structs; pipeline.c
 * hands each module its part. Only the command layer and pipeline.c see a Config. */
#ifndef ATTNCLF_CONFIG_H
#define ATTNCLF_CONFIG_H

#include <stdint.h>

#include "bayes.h"
#include "classweight.h"
#include "encoder.h"
#include "fit.h"
#include "model.h"
#include "optim.h"
#include "reader.h"
#include "status.h"
#include "step.h"
#include "tokenizer.h"
#include "vocab.h"

typedef struct DataConfig {
    char *train;            /* required */
    char *valid;            /* NULL: split valid_fraction off train */
    double valid_fraction;  /* in [0, 1) */
    ReaderOptions read;     /* format, header, columns, bad rows */
    char *cache;            /* the token cache's directory; NULL: output.dir/cache */
} DataConfig;

typedef struct TokenizerConfig {
    TokenizerOptions tok;   /* lowercase, clean_html, max_tokens */
    EncoderOptions enc;     /* ngrams, buckets */
    VocabOptions vocab;     /* min_count, max_vocab */
    char *stopwords;        /* path or NULL; the words themselves go into checkpoints */
} TokenizerConfig;

#define CONFIG_MAX_KEYS 96

/* model.dropout and model.token_dropout live in train.step: they act only while training. */
typedef struct Config {
    DataConfig data;
    TokenizerConfig tokenizer;
    ModelOptions model;
    BayesOptions bayes;
    struct {
        StepOptions step;   /* batch_size, length_weight, clip, threads, dropouts */
        AdamOptions adam;   /* lr, lr_schedule, warmup, weight_decay */
        FitOptions fit;     /* epochs, seed, patience, metric */
        ClassWeightOptions class_weight;
        int refit;          /* train again on training + validation documents (pipeline_impl.h) */
    } train;
    struct {
        char *dir;          /* required */
        int keep_checkpoints;
        double checkpoint_every; /* seconds between resumable checkpoints; 0 = every epoch */
    } output;
    /* The command-line words that set each key ("--set train.epochs=-1"), NULL
     * where a file or the default did: a bad value from the command line is a
     * usage error (exit 2), one from a file is not (exit 1). */
    char *origin[CONFIG_MAX_KEYS];
    /* The directory each relative path key was resolved against (its config
     * file's), NULL where it is the working directory. */
    char *base[CONFIG_MAX_KEYS];
    /* 1 where the key is "auto": its field means nothing until pipeline.c sets it
     * from the training corpus (autoconf.h) and clears the mark. */
    unsigned char is_auto[CONFIG_MAX_KEYS];
} Config;

/* Fills every field with its default (from the key table). Call before anything
 * else; pair with config_free. */
void config_defaults(Config *cfg);
void config_free(Config *cfg);
/* Deep copy; dst must not hold owned memory (call config_free first). */
void config_copy(Config *dst, const Config *src);

/* Reads a JSON file over the current values. Relative paths in it resolve
 * against the file's directory. Errors name the file and, for a syntax error,
 * the line and column; an unknown key is an error suggesting the nearest valid
 * key ("config.json: unknown key model.dimm (did you mean model.dim?)"). */
int config_load_file(Config *cfg, const char *path, Status *st);
/* Same from a string; `origin` names it in messages. */
int config_load_string(Config *cfg, const char *json, const char *origin, Status *st);
/* Applies one "dotted.key=value" override (value parsed as JSON when it parses,
 * else taken as a string). Errors are STATUS_USAGE. */
int config_set(Config *cfg, const char *assignment, Status *st);
/* The same for key and value given apart; messages start with origin, the
 * command-line words the value came from ("--format xml: data.format must be ..."). */
int config_assign(Config *cfg, const char *key, const char *value, const char *origin, Status *st);
/* Range and consistency checks; messages name the key ("model.dim must be >= 1,
 * got 0"), and for a value given on the command line they are usage errors that
 * start with its words ("--set model.dim=0: model.dim must be >= 1, got 0"). */
int config_validate(const Config *cfg, Status *st);
/* The input files (data.train, data.valid, tokenizer.stopwords, model.pretrained; "-" is stdin)
 * can be read; a message names the key, the path as written and what it was
 * resolved against ("data.train: data/x.csv: cannot open: No such file or
 * directory (resolved against configs/)"). */
int config_check_inputs(const Config *cfg, Status *st);
/* Makes the input paths absolute (after config_check_inputs), so the config a
 * run stores finds its data from any directory: resume, report. */
void config_absolute_inputs(Config *cfg);
/* Whether key is "auto" (0 for a key that is not). */
int config_is_auto(const Config *cfg, const char *key);
/* Marks key as set: its field now holds the value "auto" was resolved to. */
void config_clear_auto(Config *cfg, const char *key);
/* The name of key i ("data.train"), in table order, or NULL past the last. */
const char *config_key_name(int i);
/* The whole resolved config as pretty-printed JSON (malloc'd, caller frees). Loading
 * it back with config_load_string gives an identical Config. */
/* The keys whose values differ from the defaults, "key=value" (the value as
 * JSON) joined by spaces; "" when none do. malloc'd. */
char *config_changes(const Config *cfg);
char *config_to_json(const Config *cfg);

#endif
