/* config_keys.c - see config_keys.h. */
#include "config_keys.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "suggest.h"

/* Enum fields are read and written through int pointers. */
_Static_assert(sizeof(DataFormat) == sizeof(int) && sizeof(BadRowPolicy) == sizeof(int) &&
                   sizeof(AttentionKind) == sizeof(int) && sizeof(LrSchedule) == sizeof(int) &&
                   sizeof(FitMetric) == sizeof(int) && sizeof(LossKind) == sizeof(int) &&
                   sizeof(ClassWeightMode) == sizeof(int),
               "enum fields must be int-sized");

static const char *const format_names[] = {"auto", "csv", "tsv", "fasttext", NULL};
static const char *const bad_row_names[] = {"error", "skip", NULL};
static const char *const attention_names[] = {"dot", "additive", NULL};
static const char *const positional_names[] = {"false", "sin", "learned", NULL};
static const char *const encoder_names[] = {"none", "self_attention", NULL};
static const char *const schedule_names[] = {"constant", "linear", NULL};
static const char *const normalize_names[] = {"none", "nfc", "nfkc", NULL};
static const char *const metric_names[] = {"accuracy", "macro_f1", "micro_f1", "p_at_1", "auto", NULL};
static const char *const loss_names[] = {"softmax", "ova", "auto", NULL};
static const char *const bayes_fit_names[] = {"counts", "logistic", NULL};

#define AT(field) offsetof(Config, field)
#define ANY 0, 0, 0, NULL
#define REQ REQUIRED, 0, 0, NULL
#define GE(lo) HAS_MIN, (lo), 0, NULL
#define GT(lo) HAS_MIN | MIN_OPEN, (lo), 0, NULL
#define RANGE(lo, hi) HAS_MIN | HAS_MAX, (lo), (hi), NULL
#define UNIT HAS_MIN | HAS_MAX | MAX_OPEN, 0, 1, NULL /* [0, 1) */
#define FLAG RANGE(0, 1)
#define NAMES(list) 0, 0, 0, (list)
#define SWITCH(list) BOOLS, 0, 0, (list)
#define GE_AUTO(lo) HAS_MIN | AUTO, (lo), 0, NULL
#define UNIT_AUTO HAS_MIN | HAS_MAX | MAX_OPEN | AUTO, 0, 1, NULL
#define FLAG_AUTO HAS_MIN | HAS_MAX | AUTO, 0, 1, NULL

/* Grouped by section, in the order config_to_json prints them. The defaults of
 * the tokenizer, model and training keys were chosen on the validation splits of
 * IMDB, SST-2 and the AG News sample (README.md, "Choosing the defaults"); the
 * naive Bayes member, early stopping and the "auto" keys (autoconf.h) on those of
 * the whole public suite (README.md, "Defaults"). */
const ConfigKey config_keys_table[] = {
    {"data.train", KEY_PATH, AT(data.train), "null", REQ},
    {"data.valid", KEY_PATH, AT(data.valid), "null", ANY},
    {"data.valid_fraction", KEY_DOUBLE, AT(data.valid_fraction), "0.1", UNIT},
    {"data.format", KEY_ENUM, AT(data.read.format), "\"auto\"", NAMES(format_names)},
    {"data.header", KEY_BOOL, AT(data.read.header), "true", FLAG},
    {"data.label_column", KEY_COLUMN, AT(data.read.label_column), "\"label\"", ANY},
    {"data.text_columns", KEY_COLUMNS, AT(data.read.text_columns), "[\"text\"]", ANY},
    {"data.on_bad_row", KEY_ENUM, AT(data.read.on_bad_row), "\"error\"", NAMES(bad_row_names)},
    {"data.label_prefix", KEY_STRING, AT(data.read.label_prefix), "\"" READER_LABEL_PREFIX "\"", REQ},
    {"data.label_separator", KEY_STRING, AT(data.read.label_separator), "null", ANY},
    {"data.label_names", KEY_PATH, AT(data.read.label_names), "null", ANY},
    {"data.weight_column", KEY_OPT_COLUMN, AT(data.read.weight_column), "null", ANY},
    {"data.cache", KEY_PATH, AT(data.cache), "null", ANY},
    {"tokenizer.lowercase", KEY_BOOL, AT(tokenizer.tok.lowercase), "true", FLAG},
    {"tokenizer.ngrams", KEY_INT, AT(tokenizer.enc.ngrams), "2", RANGE(1, 6)},
    {"tokenizer.buckets", KEY_INT64, AT(tokenizer.enc.buckets), "2000000", GE(0)},
    {"tokenizer.min_count", KEY_INT, AT(tokenizer.vocab.min_count), "1", GE(1)},
    {"tokenizer.max_vocab", KEY_INT64, AT(tokenizer.vocab.max_vocab), "0", GE(0)},
    {"tokenizer.max_tokens", KEY_INT, AT(tokenizer.tok.max_tokens), "0", GE(0)},
    {"tokenizer.stopwords", KEY_PATH, AT(tokenizer.stopwords), "null", ANY},
    {"tokenizer.clean_html", KEY_BOOL, AT(tokenizer.tok.clean_html), "true", FLAG},
    {"tokenizer.normalize", KEY_ENUM, AT(tokenizer.tok.normalize), "\"nfkc\"", NAMES(normalize_names)},
    {"tokenizer.version", KEY_INT, AT(tokenizer.tok.version), "2", RANGE(1, 2)},
    {"tokenizer.char_ngrams", KEY_RANGE, AT(tokenizer.enc.char_min), "null", RANGE(1, 32)},
    {"model.dim", KEY_INT, AT(model.dim), "16", RANGE(1, 4096)},
    {"model.pretrained", KEY_PATH, AT(model.pretrained), "null", ANY},
    {"model.heads", KEY_INT, AT(model.heads), "2", RANGE(1, 64)},
    {"model.attention", KEY_ENUM, AT(model.attention), "\"dot\"", NAMES(attention_names)},
    {"model.positional", KEY_ENUM, AT(model.positional), "false", SWITCH(positional_names)},
    {"model.context", KEY_BOOL, AT(model.context), "\"auto\"", FLAG_AUTO},
    {"model.gate", KEY_BOOL, AT(model.gate), "\"auto\"", FLAG_AUTO},
    {"model.encoder", KEY_ENUM, AT(model.enc.kind), "\"none\"", NAMES(encoder_names)},
    {"model.layers", KEY_INT, AT(model.enc.layers), "1", RANGE(1, SELFATTN_MAX_LAYERS)},
    {"model.ffn_dim", KEY_INT, AT(model.enc.ffn_dim), "0", RANGE(0, 65536)},
    {"model.window", KEY_INT, AT(model.enc.window), "0", RANGE(0, 1 << 20)},
    {"model.encoder_ngrams", KEY_BOOL, AT(model.enc.ngrams), "false", FLAG},
    {"model.encoder_dropout", KEY_DOUBLE, AT(train.step.encoder_dropout), "0.0", UNIT},
    {"model.loss", KEY_ENUM, AT(model.loss), "\"auto\"", NAMES(loss_names)},
    {"model.dropout", KEY_DOUBLE, AT(train.step.dropout), "0.0", UNIT},
    {"model.token_dropout", KEY_DOUBLE, AT(train.step.token_dropout), "\"auto\"", UNIT_AUTO},
    {"bayes.weight", KEY_DOUBLE, AT(bayes.weight), "\"auto\"", GE_AUTO(0)},
    {"bayes.ngrams", KEY_INT, AT(bayes.ngrams), "2", RANGE(1, 6)},
    {"bayes.alpha", KEY_DOUBLE, AT(bayes.alpha), "1.0", GT(0)},
    {"bayes.min_count", KEY_INT, AT(bayes.min_count), "1", GE(1)},
    {"bayes.fit", KEY_ENUM, AT(bayes.fit), "\"counts\"", NAMES(bayes_fit_names)},
    {"bayes.l2", KEY_DOUBLE, AT(bayes.l2), "0.0001", GE(0)},
    {"bayes.passes", KEY_INT, AT(bayes.passes), "10", RANGE(1, 1000)},
    {"train.epochs", KEY_INT, AT(train.fit.epochs), "\"auto\"", GE_AUTO(1)},
    {"train.batch_size", KEY_INT, AT(train.step.batch_size), "32", GE(1)},
    {"train.length_weight", KEY_DOUBLE, AT(train.step.length_weight), "0.0", RANGE(0, 2)},
    {"train.lr", KEY_DOUBLE, AT(train.adam.lr), "0.01", GT(0)},
    {"train.lr_schedule", KEY_ENUM, AT(train.adam.lr_schedule), "\"linear\"", NAMES(schedule_names)},
    {"train.warmup", KEY_DOUBLE, AT(train.adam.warmup), "0.0", UNIT},
    {"train.weight_decay", KEY_DOUBLE, AT(train.adam.weight_decay), "0.0", GE(0)},
    {"train.clip", KEY_DOUBLE, AT(train.step.clip), "1.0", GE(0)},
    {"train.threads", KEY_INT, AT(train.step.threads), "0", RANGE(0, 1024)},
    {"train.seed", KEY_UINT64, AT(train.fit.seed), "1", ANY},
    {"train.patience", KEY_INT, AT(train.fit.patience), "3", GE(0)},
    {"train.metric", KEY_ENUM, AT(train.fit.metric), "\"auto\"", NAMES(metric_names)},
    {"train.class_weight", KEY_WEIGHTS, AT(train.class_weight), "\"none\"", ANY},
    {"train.calibrate", KEY_BOOL, AT(train.fit.calibrate), "true", FLAG},
    {"train.min_labels", KEY_INT, AT(train.fit.min_labels), "0", RANGE(0, 1)},
    {"train.refit", KEY_BOOL, AT(train.refit), "\"auto\"", FLAG_AUTO},
    {"output.dir", KEY_PATH, AT(output.dir), "null", REQ},
    {"output.keep_checkpoints", KEY_INT, AT(output.keep_checkpoints), "0", GE(0)},
    {"output.checkpoint_every", KEY_DOUBLE, AT(output.checkpoint_every), "60", GE(0)},
};
#define N_KEYS (sizeof config_keys_table / sizeof *config_keys_table)
_Static_assert(N_KEYS <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");
const size_t config_keys_count = N_KEYS;

const ConfigKey *config_keys_find(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(config_keys_table[i].name, name) == 0) return &config_keys_table[i];
    return NULL;
}

size_t config_keys_section_len(const char *key)
{
    return (size_t)(strchr(key, '.') - key);
}

int config_keys_is_section(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        size_t len = config_keys_section_len(config_keys_table[i].name);
        if (strlen(name) == len && strncmp(config_keys_table[i].name, name, len) == 0) return 1;
    }
    return 0;
}

/* The distinct section names, in table order; returns how many. */
static int config_keys_sections(char secs[][32], const char **cands)
{
    int n = 0;
    for (size_t i = 0; i < N_KEYS; i++) {
        const char *key = config_keys_table[i].name;
        int len = (int)config_keys_section_len(key);
        if (n > 0 && (int)strlen(secs[n - 1]) == len && strncmp(secs[n - 1], key, (size_t)len) == 0) continue;
        snprintf(secs[n], sizeof secs[n], "%.*s", len, key);
        cands[n] = secs[n];
        n++;
    }
    return n;
}

/* The key of section sec (its first len bytes) nearest to leaf, or NULL. */
static const char *config_keys_nearest_in(const char *sec, size_t len, const char *leaf)
{
    const char *cands[N_KEYS];
    size_t idx[N_KEYS];
    int n = 0;
    for (size_t i = 0; i < N_KEYS; i++)
        if (config_keys_section_len(config_keys_table[i].name) == len && strncmp(config_keys_table[i].name, sec, len) == 0) {
            idx[n] = i;
            cands[n++] = config_keys_table[i].name + len + 1;
        }
    int k = suggest_nearest(leaf, cands, n);
    return k < 0 ? NULL : config_keys_table[idx[k]].name;
}

/* The key whose name in its section is exactly leaf, if exactly one is. */
static const char *config_keys_leaf_elsewhere(const char *leaf)
{
    const char *found = NULL;
    for (size_t i = 0; i < N_KEYS; i++) {
        const char *key = config_keys_table[i].name;
        if (strcmp(key + config_keys_section_len(key) + 1, leaf) == 0) {
            if (found) return NULL;
            found = key;
        }
    }
    return found;
}

void config_keys_hint(const char *name, char *out, size_t cap)
{
    char secs[N_KEYS][32];
    const char *cands[N_KEYS];
    int ns = config_keys_sections(secs, cands);
    const char *dot = strchr(name, '.'), *leaf = dot ? dot + 1 : name, *other = config_keys_leaf_elsewhere(leaf);
    snprintf(out, cap, "%s", "");
    if (!dot) {
        int k = suggest_nearest(name, cands, ns);
        if (other) snprintf(out, cap, " (did you mean \"%s\"? keys go inside their section)", other);
        else if (k >= 0) snprintf(out, cap, " (did you mean \"%s\"?)", cands[k]);
        return;
    }
    size_t len = (size_t)(dot - name);
    char typed[64];
    snprintf(typed, sizeof typed, "%.*s", (int)(len < 63 ? len : 63), name);
    int k = -1;
    for (int i = 0; i < ns; i++)
        if (strcmp(secs[i], typed) == 0) k = i;
    const char *near = NULL;
    if (k >= 0) near = config_keys_nearest_in(name, len, leaf);
    else if ((k = suggest_nearest(typed, cands, ns)) >= 0) near = config_keys_nearest_in(secs[k], strlen(secs[k]), leaf);
    if (!near && !other) {
        /* A slip that crosses the dot ("train.model.dim", "modeldim"); a leaf that is
         * exactly another section's key says more. */
        const char *keys[N_KEYS];
        for (size_t i = 0; i < N_KEYS; i++) keys[i] = config_keys_table[i].name;
        int j = suggest_nearest(name, keys, (int)N_KEYS);
        if (j < 0 && strchr(leaf, '.')) j = suggest_nearest(leaf, keys, (int)N_KEYS);
        if (j >= 0) near = keys[j];
    }
    if (near) snprintf(out, cap, " (did you mean \"%s\"?)", near);
    else if (other) snprintf(out, cap, " (\"%s\" is in section \"%.*s\": did you mean \"%s\"?)", leaf,
                             (int)config_keys_section_len(other), other, other);
}
