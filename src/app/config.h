/* config.h - the resolved configuration: defaults in one place (config_defaults),
 * then a JSON file, then --set overrides, then validation. The same table of keys
 * drives loading, --set, the nearest-key suggestion and printing, so a key exists
 * in exactly one place. The resolved config is stored in checkpoints as JSON. */
#ifndef ATTNCLF_CONFIG_H
#define ATTNCLF_CONFIG_H

#include <stdint.h>

#include "status.h"

#define CONFIG_MAX_TEXT_COLUMNS 16

/* A column given by header name (name != NULL) or by 0-based index. */
typedef struct ColumnRef {
    char *name;  /* owned; NULL when given by index */
    int index;   /* used when name == NULL */
} ColumnRef;

typedef enum { FORMAT_AUTO = 0, FORMAT_CSV, FORMAT_TSV, FORMAT_FASTTEXT } DataFormat;
typedef enum { BAD_ROW_ERROR = 0, BAD_ROW_SKIP } BadRowPolicy;
typedef enum { ATTN_DOT = 0, ATTN_ADDITIVE } AttentionKind;
typedef enum { LR_CONSTANT = 0, LR_LINEAR } LrSchedule;

typedef struct DataConfig {
    char *train;            /* required */
    char *valid;            /* NULL: split valid_fraction off train */
    double valid_fraction;  /* in [0, 1) */
    DataFormat format;      /* AUTO: by extension (.tsv -> tsv, .txt/.ft -> fasttext, else csv) */
    int header;             /* 1: first row names the columns (csv/tsv only) */
    ColumnRef label_column;
    ColumnRef text_columns[CONFIG_MAX_TEXT_COLUMNS];
    int n_text_columns;     /* >= 1 */
    BadRowPolicy on_bad_row;
} DataConfig;

typedef struct TokenizerConfig {
    int lowercase;
    int ngrams;          /* 1 = words only; n adds word 2..n-grams hashed into buckets */
    int64_t buckets;     /* hashed n-gram rows; 0 allowed only with ngrams == 1 */
    int min_count;
    int64_t max_vocab;   /* 0 = no limit */
    int max_tokens;      /* words kept per document, 0 = no limit */
    char *stopwords;     /* path or NULL; the words themselves go into checkpoints */
    int clean_html;
} TokenizerConfig;

typedef struct ModelConfig {
    int dim;
    int heads;
    AttentionKind attention;
    int positional;
    int context;           /* attention scores also see the sums of the words left and right */
    int gate;              /* each word's value is scaled per dimension by a gate on the previous word */
    double dropout;        /* on the pooled vector, in [0, 1) */
    double token_dropout;  /* fraction of a document's tokens hidden per training step, [0, 1) */
} ModelConfig;

/* A naive Bayes member (Wang & Manning's NBSVM interpolation): binarized counts of
 * word 1..ngrams-grams per class, fitted by counting, whose log-probabilities are
 * added, scaled by weight, to the network's logits. weight 0 = no member. */
typedef struct BayesConfig {
    double weight;     /* >= 0 */
    int ngrams;        /* word 1..ngrams-grams */
    double alpha;      /* additive (Laplace) smoothing, > 0 */
} BayesConfig;

typedef struct TrainConfig {
    int epochs;
    int batch_size;
    double length_weight; /* a document's share of the batch loss ~ tokens^length_weight; 0 = equal shares */
    double lr;
    LrSchedule lr_schedule;
    double warmup;        /* fraction of all steps spent warming up linearly, [0, 1) */
    double weight_decay;  /* decoupled (AdamW) */
    double clip;          /* global-norm clip, 0 = off */
    int threads;          /* 0 = all cores */
    uint64_t seed;
    int patience;         /* epochs without valid_acc improvement before stopping, 0 = off */
} TrainConfig;

typedef struct OutputConfig {
    char *dir;  /* required */
    int keep_checkpoints;
} OutputConfig;

typedef struct Config {
    DataConfig data;
    TokenizerConfig tokenizer;
    ModelConfig model;
    BayesConfig bayes;
    TrainConfig train;
    OutputConfig output;
} Config;

/* Fills every field with its default. Call before anything else; pair with config_free. */
void config_defaults(Config *cfg);
void config_free(Config *cfg);
/* Deep copy; dst must not hold owned memory (call config_free first). */
void config_copy(Config *dst, const Config *src);

/* Reads a JSON file over the current values. Errors name the file and, for a
 * syntax error, the line and column; an unknown key is an error suggesting the
 * nearest valid key ("config.json: unknown key model.dimm (did you mean model.dim?)"). */
int config_load_file(Config *cfg, const char *path, Status *st);
/* Same from a string; `origin` names it in messages. */
int config_load_string(Config *cfg, const char *json, const char *origin, Status *st);
/* Applies one "dotted.key=value" override (value parsed as JSON when it parses,
 * else taken as a string). Errors are STATUS_USAGE. */
int config_set(Config *cfg, const char *assignment, Status *st);
/* Range and consistency checks; messages name the key ("model.dim must be >= 1, got 0"). */
int config_validate(const Config *cfg, Status *st);
/* The whole resolved config as pretty-printed JSON (malloc'd, caller frees). Loading
 * it back with config_load_string gives an identical Config. */
char *config_to_json(const Config *cfg);

const char *config_format_name(DataFormat f);
const char *config_attention_name(AttentionKind a);
const char *config_schedule_name(LrSchedule s);

#endif
