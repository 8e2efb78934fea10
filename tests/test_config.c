#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "suggest.h"

/* Defaults plus the two required paths: the smallest valid config. */
static void ready(Config *cfg)
{
    config_defaults(cfg);
    Status st;
    ck_assert_int_eq(config_set(cfg, "data.train=train.csv", &st), 0);
    ck_assert_int_eq(config_set(cfg, "output.dir=runs/x", &st), 0);
}

static void assert_str_eq_or_null(const char *a, const char *b)
{
    if (!a || !b) ck_assert_ptr_eq(a, b);
    else ck_assert_str_eq(a, b);
}

static void assert_column_eq(const ColumnRef *a, const ColumnRef *b)
{
    assert_str_eq_or_null(a->name, b->name);
    if (!a->name) ck_assert_int_eq(a->index, b->index);
}

static void assert_config_eq(const Config *a, const Config *b)
{
    assert_str_eq_or_null(a->data.train, b->data.train);
    assert_str_eq_or_null(a->data.valid, b->data.valid);
    ck_assert(a->data.valid_fraction == b->data.valid_fraction);
    ck_assert_int_eq(a->data.read.format, b->data.read.format);
    ck_assert_int_eq(a->data.read.header, b->data.read.header);
    assert_column_eq(&a->data.read.label_column, &b->data.read.label_column);
    ck_assert_int_eq(a->data.read.n_text_columns, b->data.read.n_text_columns);
    for (int i = 0; i < a->data.read.n_text_columns; i++)
        assert_column_eq(&a->data.read.text_columns[i], &b->data.read.text_columns[i]);
    ck_assert_int_eq(a->data.read.on_bad_row, b->data.read.on_bad_row);
    const TokenizerConfig *ta = &a->tokenizer, *tb = &b->tokenizer;
    ck_assert_int_eq(ta->tok.lowercase, tb->tok.lowercase);
    ck_assert_int_eq(ta->enc.ngrams, tb->enc.ngrams);
    ck_assert_int_eq(ta->enc.buckets, tb->enc.buckets);
    ck_assert_int_eq(ta->vocab.min_count, tb->vocab.min_count);
    ck_assert_int_eq(ta->vocab.max_vocab, tb->vocab.max_vocab);
    ck_assert_int_eq(ta->tok.max_tokens, tb->tok.max_tokens);
    assert_str_eq_or_null(ta->stopwords, tb->stopwords);
    ck_assert_int_eq(ta->tok.clean_html, tb->tok.clean_html);
    ck_assert_int_eq(a->model.dim, b->model.dim);
    ck_assert_int_eq(a->model.heads, b->model.heads);
    ck_assert_int_eq(a->model.attention, b->model.attention);
    ck_assert_int_eq(a->model.positional, b->model.positional);
    ck_assert(a->train.step.dropout == b->train.step.dropout);
    ck_assert_int_eq(a->train.fit.epochs, b->train.fit.epochs);
    ck_assert_int_eq(a->train.step.batch_size, b->train.step.batch_size);
    ck_assert(a->train.adam.lr == b->train.adam.lr);
    ck_assert_int_eq(a->train.adam.lr_schedule, b->train.adam.lr_schedule);
    ck_assert(a->train.adam.warmup == b->train.adam.warmup);
    ck_assert(a->train.adam.weight_decay == b->train.adam.weight_decay);
    ck_assert(a->train.step.clip == b->train.step.clip);
    ck_assert_int_eq(a->train.step.threads, b->train.step.threads);
    ck_assert_uint_eq(a->train.fit.seed, b->train.fit.seed);
    ck_assert_int_eq(a->train.fit.patience, b->train.fit.patience);
    assert_str_eq_or_null(a->output.dir, b->output.dir);
    ck_assert_int_eq(a->output.keep_checkpoints, b->output.keep_checkpoints);
}

/* Loads json over defaults and expects exactly msg (code STATUS_ERROR). */
static void expect_load_error(const char *json, const char *msg)
{
    Config cfg;
    Status st;
    config_defaults(&cfg);
    ck_assert_msg(config_load_string(&cfg, json, "cfg.json", &st) == -1, "accepted: %s", json);
    ck_assert_int_eq(st.code, STATUS_ERROR);
    ck_assert_str_eq(st.msg, msg);
    config_free(&cfg);
}

static void expect_set_error(const char *assignment, const char *msg)
{
    Config cfg;
    Status st;
    config_defaults(&cfg);
    ck_assert_msg(config_set(&cfg, assignment, &st) == -1, "accepted: %s", assignment);
    ck_assert_int_eq(st.code, STATUS_USAGE);
    ck_assert_str_eq(st.msg, msg);
    config_free(&cfg);
}

static void set_ok(Config *cfg, const char *assignment)
{
    Status st;
    int rc = config_set(cfg, assignment, &st);
    ck_assert_msg(rc == 0, "%s: %s", assignment, st.msg);
}

/* A file in a fresh directory under /tmp; remove_fixture deletes both. */
static void write_fixture(char *dir, char *path, size_t cap, const char *content, size_t len)
{
    strcpy(dir, "/tmp/test_config_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, cap, "%s/cfg.json", dir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(content, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void remove_fixture(const char *dir, const char *path)
{
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
}

START_TEST(test_defaults)
{
    Config cfg;
    Status st;
    config_defaults(&cfg);
    ck_assert_ptr_null(cfg.data.train);
    ck_assert_ptr_null(cfg.data.valid);
    ck_assert(cfg.data.valid_fraction == 0.1);
    ck_assert_int_eq(cfg.data.read.format, FORMAT_AUTO);
    ck_assert_str_eq(cfg.data.read.label_column.name, "label");
    ck_assert_int_eq(cfg.data.read.n_text_columns, 1);
    ck_assert_str_eq(cfg.data.read.text_columns[0].name, "text");
    ck_assert_int_eq(cfg.tokenizer.enc.ngrams, 2);
    ck_assert_int_eq(cfg.tokenizer.enc.buckets, 2000000);
    ck_assert_int_eq(cfg.model.dim, 16);
    ck_assert_int_eq(cfg.model.heads, 2);
    /* Left to the corpus (autoconf.h): the field means nothing until pipeline.c sets it. */
    ck_assert(config_is_auto(&cfg, "model.token_dropout"));
    ck_assert(config_is_auto(&cfg, "bayes.weight"));
    ck_assert(config_is_auto(&cfg, "train.epochs"));
    ck_assert(!config_is_auto(&cfg, "model.dim"));
    ck_assert_int_eq(cfg.bayes.ngrams, 2);
    ck_assert_int_eq(cfg.train.fit.patience, 3);
    ck_assert_int_eq(cfg.train.adam.lr_schedule, LR_LINEAR);
    ck_assert_uint_eq(cfg.train.fit.seed, 1);
    ck_assert_int_eq(cfg.output.keep_checkpoints, 0);

    ck_assert_int_eq(config_validate(&cfg, &st), -1);
    ck_assert_int_eq(st.code, STATUS_ERROR);
    ck_assert_str_eq(st.msg, "data.train is required");
    set_ok(&cfg, "data.train=train.csv");
    ck_assert_int_eq(config_validate(&cfg, &st), -1);
    ck_assert_str_eq(st.msg, "output.dir is required");
    set_ok(&cfg, "output.dir=runs/x");
    ck_assert_int_eq(config_validate(&cfg, &st), 0);

    config_free(&cfg);
    config_free(&cfg); /* safe twice */
}
END_TEST

static const char full_json[] =
    "{\n"
    "  \"data\": {\"train\": \"d/train.tsv\", \"valid\": \"d/valid.tsv\", \"valid_fraction\": 0.2,\n"
    "           \"format\": \"tsv\", \"header\": false, \"label_column\": 0,\n"
    "           \"text_columns\": [\"title\", 2], \"on_bad_row\": \"skip\"},\n"
    "  \"tokenizer\": {\"lowercase\": false, \"ngrams\": 3, \"buckets\": 5000000000, \"min_count\": 2,\n"
    "                \"max_vocab\": 100000, \"max_tokens\": 400, \"stopwords\": \"stop.txt\", \"clean_html\": false},\n"
    "  \"model\": {\"dim\": 128, \"heads\": 8, \"attention\": \"additive\", \"positional\": true, \"dropout\": 0.25},\n"
    "  \"train\": {\"epochs\": 7, \"batch_size\": 16, \"lr\": 0.003, \"lr_schedule\": \"linear\", \"warmup\": 0.1,\n"
    "            \"weight_decay\": 0.01, \"clip\": 0, \"threads\": 4, \"seed\": \"12345678901234567890\",\n"
    "            \"patience\": 2},\n"
    "  \"output\": {\"dir\": \"runs/ag\", \"keep_checkpoints\": 1}\n"
    "}\n";

/* Relative paths in a file resolve against its directory (base), NULL: as written. */
static void assert_path(const char *got, const char *base, const char *written)
{
    char want[300];
    snprintf(want, sizeof want, "%s%s%s", base ? base : "", base ? "/" : "", written);
    ck_assert_str_eq(got, want);
}

static void assert_full(const Config *c, const char *base)
{
    assert_path(c->data.train, base, "d/train.tsv");
    assert_path(c->data.valid, base, "d/valid.tsv");
    ck_assert(c->data.valid_fraction == 0.2);
    ck_assert_int_eq(c->data.read.format, FORMAT_TSV);
    ck_assert_int_eq(c->data.read.header, 0);
    ck_assert_ptr_null(c->data.read.label_column.name);
    ck_assert_int_eq(c->data.read.label_column.index, 0);
    ck_assert_int_eq(c->data.read.n_text_columns, 2);
    ck_assert_str_eq(c->data.read.text_columns[0].name, "title");
    ck_assert_ptr_null(c->data.read.text_columns[1].name);
    ck_assert_int_eq(c->data.read.text_columns[1].index, 2);
    ck_assert_int_eq(c->data.read.on_bad_row, BAD_ROW_SKIP);
    ck_assert_int_eq(c->tokenizer.tok.lowercase, 0);
    ck_assert_int_eq(c->tokenizer.enc.ngrams, 3);
    ck_assert_int_eq(c->tokenizer.enc.buckets, 5000000000LL);
    ck_assert_int_eq(c->tokenizer.vocab.min_count, 2);
    ck_assert_int_eq(c->tokenizer.vocab.max_vocab, 100000);
    ck_assert_int_eq(c->tokenizer.tok.max_tokens, 400);
    assert_path(c->tokenizer.stopwords, base, "stop.txt");
    ck_assert_int_eq(c->tokenizer.tok.clean_html, 0);
    ck_assert_int_eq(c->model.dim, 128);
    ck_assert_int_eq(c->model.heads, 8);
    ck_assert_int_eq(c->model.attention, ATTN_ADDITIVE);
    ck_assert_int_eq(c->model.positional, 1);
    ck_assert(c->train.step.dropout == 0.25);
    ck_assert_int_eq(c->train.fit.epochs, 7);
    ck_assert_int_eq(c->train.step.batch_size, 16);
    ck_assert(c->train.adam.lr == 0.003);
    ck_assert_int_eq(c->train.adam.lr_schedule, LR_LINEAR);
    ck_assert(c->train.adam.warmup == 0.1);
    ck_assert(c->train.adam.weight_decay == 0.01);
    ck_assert(c->train.step.clip == 0.0);
    ck_assert_int_eq(c->train.step.threads, 4);
    ck_assert_uint_eq(c->train.fit.seed, 12345678901234567890ULL);
    ck_assert_int_eq(c->train.fit.patience, 2);
    assert_path(c->output.dir, base, "runs/ag");
    ck_assert_int_eq(c->output.keep_checkpoints, 1);
}

START_TEST(test_load_full_file)
{
    char dir[64], path[128];
    write_fixture(dir, path, sizeof path, full_json, strlen(full_json));
    Config cfg;
    Status st;
    config_defaults(&cfg);
    int rc = config_load_file(&cfg, path, &st);
    ck_assert_msg(rc == 0, "%s", st.msg);
    assert_full(&cfg, dir);
    ck_assert_int_eq(config_validate(&cfg, &st), 0);
    /* The inputs are checked where they were resolved to, and a missing one is
     * named by its key, as written, and against what it was resolved. */
    char want[400];
    snprintf(want, sizeof want, "data.train: d/train.tsv: cannot open: No such file or directory (resolved against %s/)", dir);
    ck_assert_int_eq(config_check_inputs(&cfg, &st), -1);
    ck_assert_str_eq(st.msg, want);
    /* --set paths are the command line's: relative to the working directory. */
    set_ok(&cfg, "data.train=/dev/null");
    set_ok(&cfg, "data.valid=-");
    set_ok(&cfg, "tokenizer.stopwords=missing-stop.txt");
    ck_assert_int_eq(config_check_inputs(&cfg, &st), -1);
    ck_assert_str_eq(st.msg, "tokenizer.stopwords: missing-stop.txt: cannot open: No such file or directory");
    remove_fixture(dir, path);
    config_free(&cfg);
}
END_TEST

START_TEST(test_partial_file_keeps_defaults)
{
    Config cfg;
    Status st;
    config_defaults(&cfg);
    ck_assert_int_eq(config_load_string(&cfg, "{\"model\": {\"dim\": 32}, \"data\": {}}", "cfg.json", &st), 0);
    ck_assert_int_eq(cfg.model.dim, 32);
    ck_assert_int_eq(cfg.model.heads, 2);
    ck_assert_str_eq(cfg.data.read.text_columns[0].name, "text");
    config_free(&cfg);
}
END_TEST

START_TEST(test_unknown_keys)
{
    expect_load_error("{\"model\": {\"dimm\": 32}}", "cfg.json: unknown key \"model.dimm\" (did you mean \"model.dim\"?)");
    expect_load_error("{\"data\": {\"trian\": \"a.csv\"}}",
                      "cfg.json: unknown key \"data.trian\" (did you mean \"data.train\"?)");
    expect_load_error("{\"tokenizer\": {\"ngram\": 2}}",
                      "cfg.json: unknown key \"tokenizer.ngram\" (did you mean \"tokenizer.ngrams\"?)");
    expect_load_error("{\"train\": {\"model.dim\": 1}}",
                      "cfg.json: unknown key \"train.model.dim\" (did you mean \"model.dim\"?)");
    expect_load_error("{\"modle\": {\"dim\": 32}}", "cfg.json: unknown key \"modle\" (did you mean \"model\"?)");
    expect_load_error("{\"outptu\": {}}", "cfg.json: unknown key \"outptu\" (did you mean \"output\"?)");
    expect_set_error("model.dimm=32", "--set model.dimm=32: unknown key (did you mean \"model.dim\"?)");
    expect_set_error("train.epoch=3", "--set train.epoch=3: unknown key (did you mean \"train.epochs\"?)");
    /* Nothing is near enough to be the key meant: no misleading hint. */
    expect_load_error("{\"zzz\": {}}", "cfg.json: unknown key \"zzz\"");
    expect_set_error("learning_rate=0.1", "--set learning_rate=0.1: unknown key");
}
END_TEST

START_TEST(test_suggest_nearest)
{
    ck_assert_uint_eq(suggest_distance("", ""), 0);
    ck_assert_uint_eq(suggest_distance("kitten", "sitting"), 3);
    ck_assert_uint_eq(suggest_distance("", "abc"), 3);
    ck_assert_uint_eq(suggest_distance("flaw", "lawn"), 2);
    const char *cands[] = {"train", "eval", "predict"};
    ck_assert_int_eq(suggest_nearest("tarin", cands, 3), 0);
    ck_assert_int_eq(suggest_nearest("evl", cands, 3), 1);
    ck_assert_int_eq(suggest_nearest("predcit", cands, 3), 2);
    /* Ties go to the first candidate. */
    const char *tie[] = {"ab", "ba"};
    ck_assert_int_eq(suggest_nearest("aa", tie, 2), 0);
    /* Too far: more than max(1, len/3) edits, or as many as the name has bytes. */
    ck_assert_int_eq(suggest_nearest("xyzzy", cands, 3), -1);
    ck_assert_int_eq(suggest_nearest("", cands, 3), -1);
    ck_assert_int_eq(suggest_nearest("-v", cands, 3), -1);
    const char *opts[] = {"set", "config", "quiet"};
    ck_assert_int_eq(suggest_nearest("ab", opts, 3), -1);
    ck_assert_int_eq(suggest_nearest("x", opts, 3), -1);
    ck_assert_int_eq(suggest_nearest("confg", opts, 3), 1);
    const char *one[] = {"a"};
    ck_assert_int_eq(suggest_nearest("b", one, 1), -1);
    ck_assert_int_eq(suggest_nearest("x", cands, 0), -1);
}
END_TEST

/* A hint only where it is likely what was meant; a key of another section is named as such. */
START_TEST(test_suggestions_do_not_mislead)
{
    expect_set_error("train.focal_gamma=1", "--set train.focal_gamma=1: unknown key");
    expect_set_error("model.vectors=x", "--set model.vectors=x: unknown key");
    expect_set_error("model.epochs=3",
                     "--set model.epochs=3: unknown key (\"epochs\" is in section \"train\": did you mean \"train.epochs\"?)");
    expect_set_error("epochs=3", "--set epochs=3: unknown key (did you mean \"train.epochs\"? keys go inside their section)");
    expect_set_error("trian.epohcs=3", "--set trian.epohcs=3: unknown key (did you mean \"train.epochs\"?)");
    expect_load_error("{\"epochs\": 3}", "cfg.json: unknown key \"epochs\" (did you mean \"train.epochs\"? keys go inside their section)");
    const char *opts[] = {"model", "top-k", "json", "explain"};
    ck_assert_int_eq(suggest_nearest("k", opts, 4), 1);
    ck_assert_int_eq(suggest_nearest("explian", opts, 4), 3);
    ck_assert_uint_eq(suggest_distance("tarin", "train"), 1);
    const char *keys[] = {"length_weight", "heads"};
    ck_assert_int_eq(suggest_nearest("class_weights", keys, 2), -1);
    ck_assert_int_eq(suggest_nearest("pretrained", keys, 2), -1);
}
END_TEST

START_TEST(test_wrong_types)
{
    expect_load_error("{\"model\": {\"dim\": \"64\"}}", "cfg.json: model.dim must be an integer, got \"64\"");
    expect_load_error("{\"model\": {\"dim\": 3.5}}", "cfg.json: model.dim must be an integer, got 3.5");
    expect_load_error("{\"model\": {\"dim\": 1e10}}", "cfg.json: model.dim must be an integer, got 10000000000");
    expect_load_error("{\"model\": {\"dropout\": 1e999}}", "cfg.json: model.dropout must be a finite number, got inf");
    expect_load_error("{\"model\": {\"dropout\": \"0.1\"}}",
                      "cfg.json: model.dropout must be a finite number, got \"0.1\"");
    expect_load_error("{\"model\": {\"positional\": 1}}", "cfg.json: model.positional must be false, true or one of \"sin\", \"learned\", got 1");
    expect_load_error("{\"model\": {\"attention\": \"dotty\"}}",
                      "cfg.json: model.attention must be one of \"dot\", \"additive\", got \"dotty\"");
    expect_load_error("{\"data\": {\"format\": 1}}",
                      "cfg.json: data.format must be one of \"auto\", \"csv\", \"tsv\", \"fasttext\", got 1");
    expect_load_error("{\"data\": {\"train\": 5}}", "cfg.json: data.train must be a non-empty path or null, got 5");
    expect_load_error("{\"data\": {\"valid\": \"\"}}", "cfg.json: data.valid must be a non-empty path or null, got \"\"");
    expect_load_error("{\"data\": {\"label_column\": -1}}",
                      "cfg.json: data.label_column must be a column name or a non-negative integer index, got -1");
    expect_load_error("{\"data\": {\"label_column\": null}}",
                      "cfg.json: data.label_column must be a column name or a non-negative integer index, got null");
    const char *cols = "cfg.json: data.text_columns must be a column name, a non-negative integer index or an "
                       "array of 1 to 16 of them, got ";
    char msg[512];
    snprintf(msg, sizeof msg, "%s[]", cols);
    expect_load_error("{\"data\": {\"text_columns\": []}}", msg);
    snprintf(msg, sizeof msg, "%s[\"a\",true]", cols);
    expect_load_error("{\"data\": {\"text_columns\": [\"a\", true]}}", msg);
    snprintf(msg, sizeof msg, "%s[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]", cols);
    expect_load_error("{\"data\": {\"text_columns\": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}}", msg);
    expect_load_error("{\"train\": {\"seed\": -1}}",
                      "cfg.json: train.seed must be a non-negative integer (as a decimal string above 2^53), got -1");
    expect_load_error("{\"train\": {\"seed\": 1e17}}",
                      "cfg.json: train.seed must be a non-negative integer (as a decimal string above 2^53), got 1e+17");
    expect_load_error("{\"train\": {\"seed\": \"18446744073709551616\"}}",
                      "cfg.json: train.seed must be a non-negative integer (as a decimal string above 2^53), "
                      "got \"18446744073709551616\"");
    expect_load_error("{\"tokenizer\": {\"buckets\": 1e16}}",
                      "cfg.json: tokenizer.buckets must be an integer, got 1e+16");
    expect_load_error("{\"model\": 5}", "cfg.json: model must be an object, got 5");
    expect_load_error("{\"model\": {\"dim\": 8, \"dim\": 16}}", "cfg.json: duplicate key \"model.dim\"");
}
END_TEST

START_TEST(test_syntax_errors)
{
    expect_load_error("{\n  \"model\": {\n    \"dim\": 64,,\n  }\n}\n", "cfg.json:3:16: not valid JSON");
    expect_load_error("{\"model\": {\"dim\": 64}", "cfg.json:1:22: not valid JSON");
    expect_load_error("{\"a\": 1} x", "cfg.json:1:10: not valid JSON");
    /* Columns count characters, not bytes. */
    expect_load_error("{\"data\": {\"train\": \"\xc3\xa9t\xc3\xa9\" ]}", "cfg.json:1:26: not valid JSON");
    expect_load_error("[1, 2]", "cfg.json: expected a JSON object at the top level, got [1,2]");
    expect_load_error("42", "cfg.json: expected a JSON object at the top level, got 42");
    expect_load_error("null", "cfg.json: expected a JSON object at the top level, got null");
    expect_load_error("", "cfg.json: empty, expected a JSON object");
    expect_load_error(" \n\t\n", "cfg.json: empty, expected a JSON object");
}
END_TEST

START_TEST(test_file_errors)
{
    Config cfg;
    Status st;
    config_defaults(&cfg);
    ck_assert_int_eq(config_load_file(&cfg, "/nonexistent/cfg.json", &st), -1);
    ck_assert_str_eq(st.msg, "/nonexistent/cfg.json: cannot open: No such file or directory");

    char dir[64], path[128], msg[256];
    write_fixture(dir, path, sizeof path, "", 0);
    ck_assert_int_eq(config_load_file(&cfg, path, &st), -1);
    snprintf(msg, sizeof msg, "%s: empty, expected a JSON object", path);
    ck_assert_str_eq(st.msg, msg);
    remove_fixture(dir, path);

    write_fixture(dir, path, sizeof path, "{}\0{", 4);
    ck_assert_int_eq(config_load_file(&cfg, path, &st), -1);
    snprintf(msg, sizeof msg, "%s: contains a NUL byte, not valid JSON", path);
    ck_assert_str_eq(st.msg, msg);
    remove_fixture(dir, path);

    const char bom[] = "\xEF\xBB\xBF{\"model\": {\"dim\": 8}}";
    write_fixture(dir, path, sizeof path, bom, strlen(bom));
    ck_assert_int_eq(config_load_file(&cfg, path, &st), 0);
    ck_assert_int_eq(cfg.model.dim, 8);
    remove_fixture(dir, path);
    config_free(&cfg);
}
END_TEST

START_TEST(test_failed_load_keeps_config)
{
    Config cfg;
    Status st;
    ready(&cfg);
    ck_assert_int_eq(config_load_string(&cfg, "{\"model\": {\"dim\": 8, \"heads\": \"x\"}, \"data\": {\"train\": \"b\"}}",
                                        "cfg.json", &st), -1);
    ck_assert_int_eq(cfg.model.dim, 16);
    ck_assert_str_eq(cfg.data.train, "train.csv");
    ck_assert_int_eq(config_set(&cfg, "data.text_columns=[1, []]", &st), -1);
    ck_assert_int_eq(cfg.data.read.n_text_columns, 1);
    ck_assert_str_eq(cfg.data.read.text_columns[0].name, "text");
    config_free(&cfg);
}
END_TEST

START_TEST(test_set_every_type)
{
    Config cfg;
    config_defaults(&cfg);
    set_ok(&cfg, "model.dim=32");
    ck_assert_int_eq(cfg.model.dim, 32);
    set_ok(&cfg, "tokenizer.buckets=3000000000");
    ck_assert_int_eq(cfg.tokenizer.enc.buckets, 3000000000LL);
    set_ok(&cfg, "train.lr=0.01");
    ck_assert(cfg.train.adam.lr == 0.01);
    set_ok(&cfg, "train.clip=2");
    ck_assert(cfg.train.step.clip == 2.0);
    set_ok(&cfg, "tokenizer.lowercase=false");
    ck_assert_int_eq(cfg.tokenizer.tok.lowercase, 0);
    set_ok(&cfg, "model.positional=true");
    ck_assert_int_eq(cfg.model.positional, 1);
    set_ok(&cfg, "data.format=tsv");
    ck_assert_int_eq(cfg.data.read.format, FORMAT_TSV);
    set_ok(&cfg, "train.lr_schedule=\"linear\"");
    ck_assert_int_eq(cfg.train.adam.lr_schedule, LR_LINEAR);
    set_ok(&cfg, "data.on_bad_row=skip");
    ck_assert_int_eq(cfg.data.read.on_bad_row, BAD_ROW_SKIP);
    set_ok(&cfg, "model.attention=additive");
    ck_assert_int_eq(cfg.model.attention, ATTN_ADDITIVE);
    set_ok(&cfg, "output.dir=runs/x");
    ck_assert_str_eq(cfg.output.dir, "runs/x");
    set_ok(&cfg, "output.dir=2024");
    ck_assert_str_eq(cfg.output.dir, "2024");
    set_ok(&cfg, "data.valid=v.csv");
    ck_assert_str_eq(cfg.data.valid, "v.csv");
    set_ok(&cfg, "data.valid=null");
    ck_assert_ptr_null(cfg.data.valid);
    set_ok(&cfg, "tokenizer.stopwords=\"null\"");
    ck_assert_str_eq(cfg.tokenizer.stopwords, "null");
    set_ok(&cfg, "data.label_column=3");
    ck_assert_ptr_null(cfg.data.read.label_column.name);
    ck_assert_int_eq(cfg.data.read.label_column.index, 3);
    set_ok(&cfg, "data.label_column=category");
    ck_assert_str_eq(cfg.data.read.label_column.name, "category");
    set_ok(&cfg, "data.text_columns=[\"title\",\"text\"]");
    ck_assert_int_eq(cfg.data.read.n_text_columns, 2);
    ck_assert_str_eq(cfg.data.read.text_columns[0].name, "title");
    ck_assert_str_eq(cfg.data.read.text_columns[1].name, "text");
    set_ok(&cfg, "data.text_columns=[1, \"body\", 4]");
    ck_assert_int_eq(cfg.data.read.n_text_columns, 3);
    ck_assert_int_eq(cfg.data.read.text_columns[0].index, 1);
    ck_assert_str_eq(cfg.data.read.text_columns[1].name, "body");
    ck_assert_int_eq(cfg.data.read.text_columns[2].index, 4);
    set_ok(&cfg, "data.text_columns=2");
    ck_assert_int_eq(cfg.data.read.n_text_columns, 1);
    ck_assert_ptr_null(cfg.data.read.text_columns[0].name);
    ck_assert_int_eq(cfg.data.read.text_columns[0].index, 2);
    set_ok(&cfg, "data.text_columns=body");
    ck_assert_str_eq(cfg.data.read.text_columns[0].name, "body");
    set_ok(&cfg, "train.seed=42");
    ck_assert_uint_eq(cfg.train.fit.seed, 42);
    set_ok(&cfg, "train.seed=18446744073709551615");
    ck_assert_uint_eq(cfg.train.fit.seed, 18446744073709551615ULL);
    set_ok(&cfg, "train.epochs=3");
    ck_assert_int_eq(cfg.train.fit.epochs, 3);
    config_free(&cfg);
}
END_TEST

START_TEST(test_set_errors)
{
    expect_set_error("model.dim", "--set model.dim: expected key=value");
    expect_set_error("model.dim=abc", "--set model.dim=abc: model.dim must be an integer, got \"abc\"");
    expect_set_error("model.dim=", "--set model.dim=: model.dim must be an integer, got \"\"");
    expect_set_error("train.lr=nan", "--set train.lr=nan: train.lr must be a finite number, got \"nan\"");
    expect_set_error("data.format=xml",
                     "--set data.format=xml: data.format must be one of \"auto\", \"csv\", \"tsv\", \"fasttext\", "
                     "got \"xml\"");
    expect_set_error("train.lr_schedule=cosine",
                     "--set train.lr_schedule=cosine: train.lr_schedule must be one of \"constant\", \"linear\", "
                     "got \"cosine\"");
    expect_set_error("tokenizer.lowercase=yes",
                     "--set tokenizer.lowercase=yes: tokenizer.lowercase must be true or false, got \"yes\"");
    expect_set_error("data.valid=", "--set data.valid=: data.valid must be a non-empty path or null, got \"\"");
    expect_set_error("train.seed=18446744073709551616",
                     "--set train.seed=18446744073709551616: train.seed must be a non-negative integer (as a "
                     "decimal string above 2^53), got \"18446744073709551616\"");
    expect_set_error("=1", "--set =1: unknown key");
}
END_TEST

START_TEST(test_validate_messages)
{
    static const char *const cases[][2] = {
        {"model.dim=0", "model.dim must be >= 1, got 0"},
        {"model.dim=4097", "model.dim must be <= 4096, got 4097"},
        {"model.heads=65", "model.heads must be <= 64, got 65"},
        {"model.heads=0", "model.heads must be >= 1, got 0"},
        {"model.dropout=1", "model.dropout must be a finite number in [0, 1), got 1"},
        {"model.dropout=-0.5", "model.dropout must be a finite number in [0, 1), got -0.5"},
        {"data.valid_fraction=1", "data.valid_fraction must be a finite number in [0, 1), got 1"},
        {"tokenizer.ngrams=7", "tokenizer.ngrams must be <= 6, got 7"},
        {"tokenizer.ngrams=0", "tokenizer.ngrams must be >= 1, got 0"},
        {"tokenizer.buckets=-1", "tokenizer.buckets must be >= 0, got -1"},
        {"tokenizer.buckets=0", "tokenizer.buckets must be >= 1 when tokenizer.ngrams > 1, got 0"},
        {"tokenizer.min_count=0", "tokenizer.min_count must be >= 1, got 0"},
        {"tokenizer.max_vocab=-5", "tokenizer.max_vocab must be >= 0, got -5"},
        {"tokenizer.max_tokens=-1", "tokenizer.max_tokens must be >= 0, got -1"},
        {"train.epochs=0", "train.epochs must be >= 1, got 0"},
        {"train.batch_size=0", "train.batch_size must be >= 1, got 0"},
        {"train.lr=0", "train.lr must be a finite number > 0, got 0"},
        {"train.warmup=1", "train.warmup must be a finite number in [0, 1), got 1"},
        {"train.weight_decay=-0.1", "train.weight_decay must be a finite number >= 0, got -0.1"},
        {"train.clip=-1", "train.clip must be a finite number >= 0, got -1"},
        {"train.threads=-1", "train.threads must be >= 0, got -1"},
        {"train.threads=1025", "train.threads must be <= 1024, got 1025"},
        {"train.patience=-1", "train.patience must be >= 0, got -1"},
        {"output.keep_checkpoints=-1", "output.keep_checkpoints must be >= 0, got -1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Config cfg;
        Status st;
        ready(&cfg);
        set_ok(&cfg, cases[i][0]);
        /* From the command line: a usage error, whether the type or the range is wrong. */
        char want[512];
        snprintf(want, sizeof want, "--set %s: %s", cases[i][0], cases[i][1]);
        ck_assert_msg(config_validate(&cfg, &st) == -1, "accepted %s", cases[i][0]);
        ck_assert_int_eq(st.code, STATUS_USAGE);
        ck_assert_str_eq(st.msg, want);
        config_free(&cfg);
        /* From a file: an error in the file. */
        ready(&cfg);
        const char *eq = strchr(cases[i][0], '=');
        char json[256];
        snprintf(json, sizeof json, "{\"%.*s\": {\"%.*s\": %s}}", (int)(strchr(cases[i][0], '.') - cases[i][0]),
                 cases[i][0], (int)(eq - strchr(cases[i][0], '.') - 1), strchr(cases[i][0], '.') + 1, eq + 1);
        ck_assert_msg(config_load_string(&cfg, json, "cfg.json", &st) == 0, "%s: %s", json, st.msg);
        ck_assert_int_eq(config_validate(&cfg, &st), -1);
        ck_assert_int_eq(st.code, STATUS_ERROR);
        ck_assert_str_eq(st.msg, cases[i][1]);
        config_free(&cfg);
    }

    Config cfg;
    Status st;
    ready(&cfg);
    cfg.train.adam.lr = NAN;
    ck_assert_int_eq(config_validate(&cfg, &st), -1);
    ck_assert_str_eq(st.msg, "train.lr must be a finite number > 0, got nan");
    cfg.train.adam.lr = 0.001;
    cfg.model.attention = (AttentionKind)7;
    ck_assert_int_eq(config_validate(&cfg, &st), -1);
    ck_assert_str_eq(st.msg, "model.attention must be one of \"dot\", \"additive\", got 7");
    cfg.model.attention = ATTN_DOT;
    cfg.data.read.n_text_columns = 0;
    ck_assert_int_eq(config_validate(&cfg, &st), -1);
    ck_assert_str_eq(st.msg, "data.text_columns must list 1 to 16 columns, got 0");
    cfg.data.read.n_text_columns = 1;

    /* Unused fraction with a validation file; no hashing at all with unigrams. */
    set_ok(&cfg, "data.valid_fraction=1");
    set_ok(&cfg, "data.valid=v.csv");
    set_ok(&cfg, "tokenizer.ngrams=1");
    set_ok(&cfg, "tokenizer.buckets=0");
    ck_assert_int_eq(config_validate(&cfg, &st), 0);
    config_free(&cfg);
}
END_TEST

static void assert_round_trip(const Config *cfg)
{
    char *json = config_to_json(cfg);
    Config back;
    Status st;
    config_defaults(&back);
    int rc = config_load_string(&back, json, "roundtrip", &st);
    ck_assert_msg(rc == 0, "%s\n%s", st.msg, json);
    assert_config_eq(cfg, &back);
    config_free(&back);
    free(json);
}

START_TEST(test_round_trip)
{
    Config cfg;
    config_defaults(&cfg);
    assert_round_trip(&cfg); /* nulls and defaults */

    Status st;
    ck_assert_int_eq(config_load_string(&cfg, full_json, "cfg.json", &st), 0);
    assert_round_trip(&cfg);
    char *json = config_to_json(&cfg);
    ck_assert_ptr_nonnull(strstr(json, "\"seed\":\t\"12345678901234567890\""));
    ck_assert_ptr_nonnull(strstr(json, "\"text_columns\":\t[\"title\", 2]"));
    ck_assert_ptr_nonnull(strstr(json, "\"buckets\":\t5000000000"));
    ck_assert_ptr_nonnull(strstr(json, "\"attention\":\t\"additive\""));
    free(json);

    set_ok(&cfg, "data.text_columns=[3, 1]");
    set_ok(&cfg, "data.label_column=label");
    set_ok(&cfg, "train.seed=9007199254740993");
    cfg.train.adam.lr = 0.1 + 0.2; /* needs all 17 digits */
    cfg.train.step.dropout = 1.0 / 3.0;
    cfg.tokenizer.enc.buckets = 9007199254740991LL;
    assert_round_trip(&cfg);

    set_ok(&cfg, "train.seed=9007199254740992");
    json = config_to_json(&cfg);
    ck_assert_ptr_nonnull(strstr(json, "\"seed\":\t9007199254740992,"));
    free(json);
    assert_round_trip(&cfg);

    set_ok(&cfg, "data.text_columns=body");
    json = config_to_json(&cfg);
    ck_assert_ptr_nonnull(strstr(json, "\"text_columns\":\t[\"body\"]"));
    free(json);
    config_free(&cfg);
}
END_TEST

START_TEST(test_to_json_layout)
{
    Config cfg;
    config_defaults(&cfg);
    char *json = config_to_json(&cfg);
    const char *order[] = {"\"data\"", "\"train\":\tnull", "\"valid_fraction\":\t0.1", "\"format\":\t\"auto\"",
                           "\"header\":\ttrue", "\"label_column\":\t\"label\"", "\"tokenizer\"",
                           "\"stopwords\":\tnull", "\"model\"", "\"attention\":\t\"dot\"", "\"train\":\t{",
                           "\"lr\":\t0.01", "\"lr_schedule\":\t\"linear\"", "\"seed\":\t1", "\"output\"",
                           "\"dir\":\tnull", "\"keep_checkpoints\":\t0"};
    const char *at = json;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *p = strstr(at, order[i]);
        ck_assert_msg(p != NULL, "%s missing or out of order in\n%s", order[i], json);
        at = p;
    }
    free(json);
    config_free(&cfg);
}
END_TEST

START_TEST(test_copy_independent)
{
    Config a, b;
    ready(&a);
    set_ok(&a, "data.text_columns=[\"title\", 2, \"body\"]");
    set_ok(&a, "tokenizer.stopwords=stop.txt");
    config_copy(&b, &a);
    assert_config_eq(&a, &b);
    ck_assert_ptr_ne(a.data.train, b.data.train);
    ck_assert_ptr_ne(a.data.read.text_columns[0].name, b.data.read.text_columns[0].name);
    ck_assert_ptr_ne(a.data.read.label_column.name, b.data.read.label_column.name);
    set_ok(&a, "data.train=other.csv");
    set_ok(&a, "data.text_columns=x");
    config_free(&a);
    ck_assert_str_eq(b.data.train, "train.csv");
    ck_assert_int_eq(b.data.read.n_text_columns, 3);
    ck_assert_str_eq(b.data.read.text_columns[2].name, "body");
    ck_assert_str_eq(b.tokenizer.stopwords, "stop.txt");
    ck_assert_str_eq(b.output.dir, "runs/x");
    config_free(&b);
    ck_assert_ptr_null(b.data.train);
    ck_assert_ptr_null(b.data.read.text_columns[0].name);
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_load_full_file);
    tcase_add_test(tc, test_partial_file_keeps_defaults);
    tcase_add_test(tc, test_unknown_keys);
    tcase_add_test(tc, test_suggest_nearest);
    tcase_add_test(tc, test_suggestions_do_not_mislead);
    tcase_add_test(tc, test_wrong_types);
    tcase_add_test(tc, test_syntax_errors);
    tcase_add_test(tc, test_file_errors);
    tcase_add_test(tc, test_failed_load_keeps_config);
    tcase_add_test(tc, test_set_every_type);
    tcase_add_test(tc, test_set_errors);
    tcase_add_test(tc, test_validate_messages);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_to_json_layout);
    tcase_add_test(tc, test_copy_independent);
    suite_add_tcase(s, tc);
    return s;
}
