/* config.c - see config.h. Defaults, loading, --set, validation, printing, copying
 * and freeing all walk config_keys.c's table, so adding a key means one field and
 * one row there. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_keys.h"
#include "mem.h"

#define CONFIG_STR(x) #x
#define CONFIG_XSTR(x) CONFIG_STR(x)

/* JSON numbers are doubles: above 2^53 neighbouring integers are indistinguishable. */
#define CONFIG_EXACT_MAX 9007199254740992.0

static const char *const class_weight_names[] = {"none", "balanced", NULL};


/* Calls fn on every owned string slot of cfg, NULL or not. */
static void config_each_string(Config *cfg, void (*fn)(char **))
{
    for (size_t i = 0; i < config_keys_count; i++) {
        void *field = (char *)cfg + config_keys_table[i].offset;
        if (config_keys_table[i].type == KEY_PATH || config_keys_table[i].type == KEY_STRING) fn((char **)field);
        else if (config_keys_table[i].type == KEY_COLUMN) fn(&((ColumnRef *)field)->name);
        else if (config_keys_table[i].type == KEY_OPT_COLUMN) fn(&((OptColumnRef *)field)->col.name);
        /* Every slot, not just n_text_columns: shrinking the count must not leak. */
        else if (config_keys_table[i].type == KEY_COLUMNS)
            for (int c = 0; c < READER_MAX_TEXT_COLUMNS; c++) fn(&((ColumnRef *)field)[c].name);
    }
}

static void config_release(char **s)
{
    free(*s);
    *s = NULL;
}

static void config_duplicate(char **s)
{
    if (*s) *s = xstrdup(*s);
}

/* train.class_weight's owned arrays: freed, or duplicated for a copy. */
static void config_weights_release(ClassWeightOptions *o)
{
    for (int i = 0; i < o->n; i++) free(o->names[i]);
    free(o->names);
    free(o->weights);
    *o = (ClassWeightOptions){.mode = o->mode};
}

static void config_weights_duplicate(ClassWeightOptions *o)
{
    char **names = xmalloc((size_t)(o->n + 1) * sizeof *names);
    double *weights = xmalloc((size_t)(o->n + 1) * sizeof *weights);
    for (int i = 0; i < o->n; i++) {
        names[i] = xstrdup(o->names[i]);
        weights[i] = o->weights[i];
    }
    o->names = names;
    o->weights = weights;
}

void config_free(Config *cfg)
{
    config_each_string(cfg, config_release);
    config_weights_release(&cfg->train.class_weight);
    for (size_t i = 0; i < config_keys_count; i++) {
        config_release(&cfg->origin[i]);
        config_release(&cfg->base[i]);
    }
}

void config_copy(Config *dst, const Config *src)
{
    *dst = *src;
    config_each_string(dst, config_duplicate);
    config_weights_duplicate(&dst->train.class_weight);
    for (size_t i = 0; i < config_keys_count; i++) {
        config_duplicate(&dst->origin[i]);
        config_duplicate(&dst->base[i]);
    }
}

/* cJSON allocates through mem.h, so running out of memory inside it is fatal as
 * everywhere else instead of looking like a syntax error or a NULL result. */
static void config_json_hooks(void)
{
    cJSON_Hooks hooks = {xmalloc, free};
    cJSON_InitHooks(&hooks);
}

/* NULL when v is not a value of the enum. */
static const char *config_enum_name(const char *const *names, int v)
{
    for (int i = 0; names[i]; i++)
        if (i == v) return names[i];
    return NULL;
}

static const char *config_enum_or_unknown(const char *const *names, int v)
{
    const char *name = config_enum_name(names, v);
    return name ? name : "unknown";
}


/* The value as it appeared (JSON), shortened to fit a one-line message. */
static void config_describe(const cJSON *v, char *buf, size_t cap)
{
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
        snprintf(buf, cap, "%s", v->valuedouble > 0 ? "inf" : "-inf");
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    if (strlen(s) < cap) snprintf(buf, cap, "%s", s);
    else snprintf(buf, cap, "%.*s...", (int)cap - 4, s);
    free(s);
}

static void config_names_text(const char *const *names, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s\"%s\"", i ? ", " : "", names[i]);
}

static int config_get_whole(const cJSON *v, double limit, double *out)
{
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(d >= -limit && d <= limit && d == floor(d))) return -1;
    *out = d;
    return 0;
}

static int config_get_u64(const cJSON *v, uint64_t *out)
{
    double d;
    if (cJSON_IsNumber(v)) {
        if (config_get_whole(v, CONFIG_EXACT_MAX, &d) || d < 0) return -1;
        *out = (uint64_t)d;
        return 0;
    }
    if (!cJSON_IsString(v)) return -1;
    const char *s = v->valuestring;
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 20 || s[n]) return -1;
    errno = 0;
    unsigned long long u = strtoull(s, NULL, 10);
    if (errno == ERANGE) return -1;
    *out = (uint64_t)u;
    return 0;
}

static int config_get_enum(const cJSON *v, const char *const *names, int *out)
{
    if (!cJSON_IsString(v)) return -1;
    for (int i = 0; names[i]; i++)
        if (strcmp(v->valuestring, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return -1;
}

static int config_get_column(const cJSON *v, ColumnRef *out)
{
    if (cJSON_IsString(v) && v->valuestring[0]) {
        *out = (ColumnRef){.name = xstrdup(v->valuestring)};
        return 0;
    }
    double d;
    if (config_get_whole(v, INT_MAX, &d) || d < 0) return -1;
    *out = (ColumnRef){.index = (int)d};
    return 0;
}

/* Always fills every slot so config_free can free all of them. */
static int config_get_columns(const cJSON *v, ColumnRef cols[READER_MAX_TEXT_COLUMNS], int *n)
{
    memset(cols, 0, READER_MAX_TEXT_COLUMNS * sizeof *cols);
    *n = 0;
    if (!cJSON_IsArray(v)) {
        if (config_get_column(v, &cols[0])) return -1;
        *n = 1;
        return 0;
    }
    int size = cJSON_GetArraySize(v);
    if (size < 1 || size > READER_MAX_TEXT_COLUMNS) return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (config_get_column(e, &cols[*n])) {
            for (int i = 0; i < *n; i++) free(cols[i].name);
            return -1;
        }
        (*n)++;
    }
    return 0;
}

/* "none", "balanced" or an object of numbers; the numbers' range is config_validate's. */
static int config_get_weights(const cJSON *v, ClassWeightOptions *out)
{
    int mode;
    if (cJSON_IsString(v)) {
        if (config_get_enum(v, class_weight_names, &mode)) return -1;
        *out = (ClassWeightOptions){.mode = (ClassWeightMode)mode};
        return 0;
    }
    if (!cJSON_IsObject(v)) return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) if (!cJSON_IsNumber(e) || !e->string[0]) return -1;
    int n = cJSON_GetArraySize(v);
    *out = (ClassWeightOptions){.mode = CLASS_WEIGHT_GIVEN, .n = n};
    out->names = xmalloc((size_t)(n + 1) * sizeof *out->names);
    out->weights = xmalloc((size_t)(n + 1) * sizeof *out->weights);
    int i = 0;
    cJSON_ArrayForEach(e, v) {
        out->names[i] = xstrdup(e->string);
        out->weights[i++] = e->valuedouble;
    }
    return 0;
}

static int config_store_value(Config *cfg, const ConfigKey *k, const cJSON *v);

/* Stores v into k's field; on -1 (v has the wrong type) the field is untouched.
 * "auto" leaves the field as it is and marks the key: its value comes from the
 * corpus when training starts (pipeline.c). */
static int config_store(Config *cfg, const ConfigKey *k, const cJSON *v)
{
    size_t i = (size_t)(k - config_keys_table);
    if ((k->flags & AUTO) && cJSON_IsString(v) && strcmp(v->valuestring, "auto") == 0) {
        cfg->is_auto[i] = 1;
        return 0;
    }
    if (config_store_value(cfg, k, v)) return -1;
    cfg->is_auto[i] = 0;
    return 0;
}

static int config_store_value(Config *cfg, const ConfigKey *k, const cJSON *v)
{
    void *field = (char *)cfg + k->offset;
    ColumnRef cols[READER_MAX_TEXT_COLUMNS];
    double x;
    uint64_t u;
    int e;
    switch (k->type) {
    case KEY_BOOL:
        if (!cJSON_IsBool(v)) return -1;
        *(int *)field = cJSON_IsTrue(v);
        return 0;
    case KEY_INT:
        if (config_get_whole(v, INT_MAX, &x) || x < INT_MIN) return -1;
        *(int *)field = (int)x;
        return 0;
    case KEY_INT64:
        if (config_get_whole(v, CONFIG_EXACT_MAX, &x)) return -1;
        *(int64_t *)field = (int64_t)x;
        return 0;
    case KEY_UINT64:
        if (config_get_u64(v, &u)) return -1;
        *(uint64_t *)field = u;
        return 0;
    case KEY_DOUBLE:
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return -1;
        *(double *)field = v->valuedouble;
        return 0;
    case KEY_PATH:
    case KEY_STRING:
        if (!cJSON_IsNull(v) && !(cJSON_IsString(v) && v->valuestring[0])) return -1;
        free(*(char **)field);
        *(char **)field = cJSON_IsNull(v) ? NULL : xstrdup(v->valuestring);
        return 0;
    case KEY_ENUM:
        if ((k->flags & BOOLS) && cJSON_IsBool(v)) e = cJSON_IsTrue(v);
        else if (config_get_enum(v, k->names, &e) || ((k->flags & BOOLS) && e == 0)) return -1;
        *(int *)field = e;
        return 0;
    case KEY_COLUMN:
        if (config_get_column(v, &cols[0])) return -1;
        free(((ColumnRef *)field)->name);
        *(ColumnRef *)field = cols[0];
        return 0;
    case KEY_OPT_COLUMN: {
        OptColumnRef *oc = field;
        if (!cJSON_IsNull(v) && config_get_column(v, &cols[0])) return -1;
        free(oc->col.name);
        *oc = cJSON_IsNull(v) ? (OptColumnRef){0} : (OptColumnRef){.set = 1, .col = cols[0]};
        return 0;
    }
    case KEY_WEIGHTS: {
        ClassWeightOptions w;
        if (config_get_weights(v, &w)) return -1;
        config_weights_release(field);
        *(ClassWeightOptions *)field = w;
        return 0;
    }
    case KEY_COLUMNS:
        if (config_get_columns(v, cols, &e)) return -1;
        for (int i = 0; i < READER_MAX_TEXT_COLUMNS; i++) free(((ColumnRef *)field)[i].name);
        memcpy(field, cols, sizeof cols);
        cfg->data.read.n_text_columns = e;
        return 0;
    case KEY_RANGE: {
        int *pair = field;
        if (cJSON_IsNull(v)) {
            pair[0] = pair[1] = 0;
            return 0;
        }
        double lo, hi;
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 || config_get_whole(cJSON_GetArrayItem(v, 0), INT_MAX, &lo) ||
            config_get_whole(cJSON_GetArrayItem(v, 1), INT_MAX, &hi) || lo < INT_MIN || hi < INT_MIN)
            return -1;
        pair[0] = (int)lo;
        pair[1] = (int)hi;
        return 0;
    }
    }
    return -1;
}

/* Stores v, or writes "model.dim must be an integer, got \"64\"" into why. */
static int config_apply(Config *cfg, const ConfigKey *k, const cJSON *v, char *why, size_t cap)
{
    static const char *const expected[] = {
        [KEY_BOOL] = "true or false",
        [KEY_INT] = "an integer",
        [KEY_INT64] = "an integer",
        [KEY_UINT64] = "a non-negative integer (as a decimal string above 2^53)",
        [KEY_DOUBLE] = "a finite number",
        [KEY_PATH] = "a non-empty path or null",
        [KEY_ENUM] = "one of ",
        [KEY_COLUMN] = "a column name or a non-negative integer index",
        [KEY_COLUMNS] = "a column name, a non-negative integer index or an array of 1 to " CONFIG_XSTR(
            READER_MAX_TEXT_COLUMNS) " of them",
        [KEY_RANGE] = "[min, max] (two whole numbers) or null",
        [KEY_STRING] = "a non-empty string or null",
        [KEY_OPT_COLUMN] = "null, a column name or a non-negative integer index",
        [KEY_WEIGHTS] = "\"none\", \"balanced\" or an object of label: weight numbers",
    };
    if (config_store(cfg, k, v) == 0) return 0;
    char names[200] = "", got[128];
    const int bools = k->type == KEY_ENUM && (k->flags & BOOLS);
    if (k->type == KEY_ENUM) config_names_text(k->names + bools, names, sizeof names);
    config_describe(v, got, sizeof got);
    snprintf(why, cap, "%s must be %s%s%s, got %s", k->name, bools ? "false, true or one of " : expected[k->type],
             names, k->flags & AUTO ? " or \"auto\"" : "", got);
    return -1;
}

void config_defaults(Config *cfg)
{
    config_json_hooks();
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < config_keys_count; i++) {
        cJSON *v = cJSON_Parse(config_keys_table[i].def);
        if (!v || config_store(cfg, &config_keys_table[i], v) != 0) {
            /* A default that does not parse is a bug in the table above, caught by every test. */
            fprintf(stderr, "attnclf: bad default for %s\n", config_keys_table[i].name);
            abort();
        }
        cJSON_Delete(v);
    }
}

/* A relative path from a file in directory base becomes base/path. */
static void config_rebase(Config *cfg, const ConfigKey *k, const char *base)
{
    size_t i = (size_t)(k - config_keys_table);
    config_release(&cfg->base[i]);
    char **field = (char **)((char *)cfg + k->offset);
    if (k->type != KEY_PATH || !base || !*field || (*field)[0] == '/' || strcmp(*field, "-") == 0) return;
    size_t n = strlen(base) + strlen(*field) + 2;
    char *joined = xmalloc(n);
    snprintf(joined, n, "%s/%s", base, *field);
    free(*field);
    *field = joined;
    cfg->base[i] = xstrdup(base);
}

static int config_load_item(Config *cfg, const cJSON *section, const cJSON *item, unsigned char *seen,
                            const char *origin, const char *base, Status *st)
{
    size_t len = strlen(section->string) + strlen(item->string) + 2;
    char *name = xmalloc(len);
    snprintf(name, len, "%s.%s", section->string, item->string);
    const ConfigKey *k = config_keys_find(name);
    char why[512];
    int rc = 0;
    if (!k) {
        config_keys_hint(name, why, sizeof why);
        rc = status_error(st, "%s: unknown key \"%s\"%s", origin, name, why);
    } else if (seen[k - config_keys_table]++) {
        rc = status_error(st, "%s: duplicate key \"%s\"", origin, name);
    } else if (config_apply(cfg, k, item, why, sizeof why)) {
        rc = status_error(st, "%s: %s", origin, why);
    } else {
        config_release(&cfg->origin[k - config_keys_table]);
        config_rebase(cfg, k, base);
    }
    free(name);
    return rc;
}

static int config_load_json(Config *cfg, const cJSON *root, const char *origin, const char *base, Status *st)
{
    char got[128];
    if (!cJSON_IsObject(root)) {
        config_describe(root, got, sizeof got);
        return status_error(st, "%s: expected a JSON object at the top level, got %s", origin, got);
    }
    unsigned char seen[CONFIG_MAX_KEYS] = {0};
    const cJSON *section, *item;
    cJSON_ArrayForEach(section, root) {
        if (!config_keys_is_section(section->string)) {
            config_keys_hint(section->string, got, sizeof got);
            return status_error(st, "%s: unknown key \"%s\"%s", origin, section->string, got);
        }
        if (!cJSON_IsObject(section)) {
            config_describe(section, got, sizeof got);
            return status_error(st, "%s: %s must be an object, got %s", origin, section->string, got);
        }
        cJSON_ArrayForEach(item, section)
            if (config_load_item(cfg, section, item, seen, origin, base, st)) return -1;
    }
    return 0;
}

/* 1-based line and column (in characters, as editors count) of pos in text. */
static void config_position(const char *text, const char *pos, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < pos && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

/* config_load_string with relative paths resolved against base (NULL: as they are). */
static int config_load_text(Config *cfg, const char *json, const char *origin, const char *base, Status *st)
{
    config_json_hooks();
    /* Some editors start UTF-8 files with a byte order mark; cJSON rejects it. */
    const char *text = strncmp(json, "\xEF\xBB\xBF", 3) == 0 ? json + 3 : json;
    if (text[strspn(text, " \t\r\n")] == '\0')
        return status_error(st, "%s: empty, expected a JSON object", origin);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        int line, col;
        config_position(json, end ? end : text, &line, &col);
        return status_error(st, "%s:%d:%d: not valid JSON", origin, line, col);
    }
    /* Work on a copy so a failed load leaves cfg exactly as it was. */
    Config tmp;
    config_copy(&tmp, cfg);
    int rc = config_load_json(&tmp, root, origin, base, st);
    cJSON_Delete(root);
    if (rc) {
        config_free(&tmp);
        return -1;
    }
    config_free(cfg);
    *cfg = tmp;
    return 0;
}

int config_load_string(Config *cfg, const char *json, const char *origin, Status *st)
{
    return config_load_text(cfg, json, origin, NULL, st);
}

int config_load_file(Config *cfg, const char *path, Status *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) return status_error(st, "%s: cannot open: %s", path, strerror(errno));
    size_t n = 0, cap = 4096, got;
    char *buf = xmalloc(cap);
    errno = 0;
    while ((got = fread(buf + n, 1, cap - 1 - n, f)) > 0) {
        n += got;
        if (n == cap - 1) buf = xrealloc(buf, cap *= 2);
    }
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    buf[n] = '\0';
    int rc;
    if (err) rc = status_error(st, "%s: cannot read: %s", path, strerror(err));
    /* cJSON would stop at the NUL and silently ignore the rest of the file. */
    else if (memchr(buf, '\0', n)) rc = status_error(st, "%s: contains a NUL byte, not valid JSON", path);
    else {
        const char *slash = strrchr(path, '/');
        char *base = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
        rc = config_load_text(cfg, buf, path, base, st);
        free(base);
    }
    free(buf);
    return rc;
}

/* JSON when it parses, so arrays, null, numbers and booleans work; otherwise the
 * raw text, so paths and enum names need no quotes on the command line. */
static cJSON *config_parse_value(const ConfigKey *k, const char *text)
{
    cJSON *v = cJSON_ParseWithOpts(text, NULL, 1);
    int raw = !v;
    /* A directory called "2024" is still a path, and "tsv" needs no quotes. */
    const int is_switch = k->type == KEY_ENUM && (k->flags & BOOLS) && cJSON_IsBool(v);
    if (v && (k->type == KEY_PATH || k->type == KEY_ENUM || k->type == KEY_STRING) && !cJSON_IsString(v) &&
        !cJSON_IsNull(v) && !is_switch)
        raw = 1;
    /* Seeds above 2^53 would be rounded by a trip through a double. */
    if (v && k->type == KEY_UINT64 && cJSON_IsNumber(v) && text[strspn(text, "0123456789")] == '\0') raw = 1;
    if (raw) {
        cJSON_Delete(v);
        v = cJSON_CreateString(text);
    }
    return v;
}

int config_assign(Config *cfg, const char *key, const char *value, const char *origin, Status *st)
{
    config_json_hooks();
    const ConfigKey *k = config_keys_find(key);
    char why[512];
    if (!k) {
        config_keys_hint(key, why, sizeof why);
        return status_usage(st, "%s: unknown key%s", origin, why);
    }
    cJSON *v = config_parse_value(k, value);
    int rc = config_apply(cfg, k, v, why, sizeof why);
    cJSON_Delete(v);
    if (rc) return status_usage(st, "%s: %s", origin, why);
    free(cfg->origin[k - config_keys_table]);
    cfg->origin[k - config_keys_table] = xstrdup(origin);
    config_release(&cfg->base[k - config_keys_table]);
    return 0;
}

int config_set(Config *cfg, const char *assignment, Status *st)
{
    const char *eq = strchr(assignment, '=');
    if (!eq) return status_usage(st, "--set %s: expected key=value", assignment);
    char *key = xstrndup(assignment, (size_t)(eq - assignment));
    size_t n = strlen(assignment) + 8;
    char *origin = xmalloc(n);
    snprintf(origin, n, "--set %s", assignment);
    int rc = config_assign(cfg, key, eq + 1, origin, st);
    free(origin);
    free(key);
    return rc;
}

static int config_check_column(const char *key, const ColumnRef *c, Status *st)
{
    if (c->name && !c->name[0]) return status_error(st, "%s must be a non-empty column name, got \"\"", key);
    if (!c->name && c->index < 0) return status_error(st, "%s must be an index >= 0, got %d", key, c->index);
    return 0;
}

static int config_check_columns(const Config *cfg, const ConfigKey *k, Status *st)
{
    int n = cfg->data.read.n_text_columns;
    if (n < 1 || n > READER_MAX_TEXT_COLUMNS)
        return status_error(st, "%s must list 1 to %d columns, got %d", k->name, READER_MAX_TEXT_COLUMNS, n);
    char key[64];
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%s[%d]", k->name, i);
        if (config_check_column(key, &cfg->data.read.text_columns[i], st)) return -1;
    }
    return 0;
}

static int config_check_number(const ConfigKey *k, double x, Status *st)
{
    int low = (k->flags & HAS_MIN) && ((k->flags & MIN_OPEN) ? !(x > k->min) : !(x >= k->min));
    int high = (k->flags & HAS_MAX) && ((k->flags & MAX_OPEN) ? !(x < k->max) : !(x <= k->max));
    if (k->type != KEY_DOUBLE) {
        if (!low && !high) return 0;
        const char *op = low ? (k->flags & MIN_OPEN ? ">" : ">=") : (k->flags & MAX_OPEN ? "<" : "<=");
        return status_error(st, "%s must be %s %.0f, got %.0f", k->name, op, low ? k->min : k->max, x);
    }
    if (isfinite(x) && !low && !high) return 0;
    char range[64] = "", got[32];
    if ((k->flags & HAS_MIN) && (k->flags & HAS_MAX))
        snprintf(range, sizeof range, " in %c%g, %g%c", k->flags & MIN_OPEN ? '(' : '[', k->min, k->max,
                 k->flags & MAX_OPEN ? ')' : ']');
    else if (k->flags & HAS_MIN)
        snprintf(range, sizeof range, " %s %g", k->flags & MIN_OPEN ? ">" : ">=", k->min);
    snprintf(got, sizeof got, "%g", x);
    return status_error(st, "%s must be a finite number%s, got %s", k->name, range, isnan(x) ? "nan" : got);
}

static int config_check_key(const Config *cfg, const ConfigKey *k, Status *st)
{
    const void *field = (const char *)cfg + k->offset;
    char names[200];
    int e;
    if (cfg->is_auto[k - config_keys_table]) return 0;
    switch (k->type) {
    case KEY_PATH: {
        const char *s = *(char *const *)field;
        if (!s && (k->flags & REQUIRED)) return status_error(st, "%s is required", k->name);
        if (s && !s[0]) return status_error(st, "%s must be a non-empty path, got \"\"", k->name);
        return 0;
    }
    case KEY_ENUM:
        e = *(const int *)field;
        if (config_enum_name(k->names, e)) return 0;
        config_names_text(k->names, names, sizeof names);
        return status_error(st, "%s must be one of %s, got %d", k->name, names, e);
    case KEY_STRING: {
        const char *s = *(char *const *)field;
        if (!s && (k->flags & REQUIRED)) return status_error(st, "%s must be a non-empty string, got null", k->name);
        if (s && !s[0]) return status_error(st, "%s must be a non-empty string, got \"\"", k->name);
        return 0;
    }
    case KEY_OPT_COLUMN: {
        const OptColumnRef *oc = field;
        return oc->set ? config_check_column(k->name, &oc->col, st) : 0;
    }
    case KEY_WEIGHTS: {
        const ClassWeightOptions *o = field;
        for (int i = 0; i < o->n; i++)
            if (!(isfinite(o->weights[i]) && o->weights[i] >= 0))
                return status_error(st, "%s: the weight of \"%s\" must be a finite number >= 0, got %g", k->name,
                                    o->names[i], o->weights[i]);
        return 0;
    }
    case KEY_COLUMN: return config_check_column(k->name, field, st);
    case KEY_COLUMNS: return config_check_columns(cfg, k, st);
    case KEY_RANGE: {
        const int *pair = field;
        if (pair[0] == 0 && pair[1] == 0) return 0;
        if (pair[0] < k->min || pair[1] > k->max || pair[0] > pair[1])
            return status_error(st, "%s must be [min, max] with %.0f <= min <= max <= %.0f, got [%d, %d]", k->name, k->min,
                                k->max, pair[0], pair[1]);
        return 0;
    }
    case KEY_DOUBLE: return config_check_number(k, *(const double *)field, st);
    case KEY_INT64: return config_check_number(k, (double)*(const int64_t *)field, st);
    case KEY_BOOL:
    case KEY_INT: return config_check_number(k, *(const int *)field, st);
    case KEY_UINT64: return 0;
    }
    return 0;
}

/* A failed check of the keys named (NULL-terminated): when the command line set
 * one of them, a usage error that starts with its words. Returns -1. */
static int config_blame(const Config *cfg, Status *st, ...)
{
    va_list ap;
    va_start(ap, st);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
        const ConfigKey *k = config_keys_find(name);
        const char *origin = k ? cfg->origin[k - config_keys_table] : NULL;
        if (origin) {
            char msg[sizeof st->msg];
            snprintf(msg, sizeof msg, "%s", st->msg);
            status_usage(st, "%s: %s", origin, msg);
            break;
        }
    }
    va_end(ap);
    return -1;
}

int config_validate(const Config *cfg, Status *st)
{
    for (size_t i = 0; i < config_keys_count; i++) {
        const ConfigKey *k = &config_keys_table[i];
        /* With a validation file the fraction is never used, so any value is harmless. */
        if (k->offset == offsetof(Config, data.valid_fraction) && cfg->data.valid) continue;
        if (config_check_key(cfg, k, st)) return config_blame(cfg, st, k->name, NULL);
    }
    const EncoderOptions *t = &cfg->tokenizer.enc;
    const ModelOptions *mc = &cfg->model;
    if ((mc->context || mc->gate) && mc->attention != ATTN_DOT) {
        status_error(st, "model.%s needs model.attention \"dot\", got \"%s\"", mc->context ? "context" : "gate",
                     config_enum_or_unknown(config_keys_find("model.attention")->names, (int)mc->attention));
        return config_blame(cfg, st, "model.attention", "model.context", "model.gate", NULL);
    }
    if (mc->enc.kind == SELFATTN_ON && mc->dim % mc->heads != 0) {
        status_error(st, "model.dim %d must be a multiple of model.heads %d with model.encoder \"self_attention\"",
                     mc->dim, mc->heads);
        return config_blame(cfg, st, "model.dim", "model.heads", "model.encoder", NULL);
    }
    if (mc->positional == POSITIONAL_LEARNED && mc->enc.kind != SELFATTN_ON) {
        status_error(st, "model.positional \"learned\" needs model.encoder \"self_attention\"");
        return config_blame(cfg, st, "model.positional", "model.encoder", NULL);
    }
    const int buckets_auto = config_is_auto(cfg, "tokenizer.buckets");
    if (t->ngrams > 1 && t->buckets < 1 && !buckets_auto) {
        status_error(st, "tokenizer.buckets must be >= 1 when tokenizer.ngrams > 1, got %" PRId64, t->buckets);
        return config_blame(cfg, st, "tokenizer.buckets", "tokenizer.ngrams", NULL);
    }
    if (t->char_min > 0 && t->buckets < 1 && !buckets_auto) {
        status_error(st, "tokenizer.buckets must be >= 1 with tokenizer.char_ngrams, got %" PRId64, t->buckets);
        return config_blame(cfg, st, "tokenizer.buckets", "tokenizer.char_ngrams", NULL);
    }
    return 0;
}

int config_is_auto(const Config *cfg, const char *key)
{
    const ConfigKey *k = config_keys_find(key);
    return k && cfg->is_auto[k - config_keys_table];
}

void config_clear_auto(Config *cfg, const char *key)
{
    const ConfigKey *k = config_keys_find(key);
    if (k) cfg->is_auto[k - config_keys_table] = 0;
}

const char *config_key_name(int i)
{
    return i >= 0 && (size_t)i < config_keys_count ? config_keys_table[i].name : NULL;
}

int config_check_inputs(const Config *cfg, Status *st)
{
    static const char *const inputs[] = {"data.train", "data.valid", "data.label_names", "tokenizer.stopwords",
                                         "model.pretrained"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        const ConfigKey *k = config_keys_find(inputs[i]);
        const char *path = *(char *const *)((const char *)cfg + k->offset), *base = cfg->base[k - config_keys_table];
        if (!path || strcmp(path, "-") == 0) continue;
        const char *written = base ? path + strlen(base) + (strcmp(base, "/") != 0) : path;
        char against[320] = "";
        if (base) snprintf(against, sizeof against, " (resolved against %.280s/)", base);
        struct stat sb;
        FILE *f = fopen(path, "rb");
        int e = f ? 0 : errno;
        if (f && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) e = EISDIR;
        if (f) fclose(f);
        if (e == EISDIR) return status_error(st, "%s: %s: is a directory%s", k->name, written, against);
        if (e) return status_error(st, "%s: %s: cannot open: %s%s", k->name, written, strerror(e), against);
    }
    return 0;
}

void config_absolute_inputs(Config *cfg)
{
    static const char *const inputs[] = {"data.train", "data.valid", "data.label_names", "tokenizer.stopwords",
                                         "model.pretrained"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        const ConfigKey *k = config_keys_find(inputs[i]);
        char **field = (char **)((char *)cfg + k->offset);
        if (!*field || strcmp(*field, "-") == 0 || (*field)[0] == '/') continue;
        char *abs = realpath(*field, NULL);
        if (!abs) continue;
        free(*field);
        *field = abs;
        config_release(&cfg->base[k - config_keys_table]);
    }
}

/* Numbers go out as raw text: cJSON's own printing rounds to 15 significant
 * digits when that is "close enough", which would break the exact round trip. */
static cJSON *config_double_json(double d)
{
    if (!isfinite(d)) return cJSON_CreateNull();
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) break;
    }
    return cJSON_CreateRaw(buf);
}

static cJSON *config_int_json(int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return cJSON_CreateRaw(buf);
}

static cJSON *config_column_json(const ColumnRef *c)
{
    return c->name ? cJSON_CreateString(c->name) : config_int_json(c->index);
}

static cJSON *config_value_json(const Config *cfg, const ConfigKey *k)
{
    const void *field = (const char *)cfg + k->offset;
    char buf[24];
    if (cfg->is_auto[k - config_keys_table]) return cJSON_CreateString("auto");
    switch (k->type) {
    case KEY_BOOL: return cJSON_CreateBool(*(const int *)field != 0);
    case KEY_INT: return config_int_json(*(const int *)field);
    case KEY_INT64: return config_int_json(*(const int64_t *)field);
    case KEY_UINT64:
        snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *)field);
        return *(const uint64_t *)field <= (uint64_t)CONFIG_EXACT_MAX ? cJSON_CreateRaw(buf) : cJSON_CreateString(buf);
    case KEY_DOUBLE: return config_double_json(*(const double *)field);
    case KEY_PATH:
    case KEY_STRING: {
        const char *s = *(char *const *)field;
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
    }
    case KEY_ENUM:
        if ((k->flags & BOOLS) && *(const int *)field == 0) return cJSON_CreateFalse();
        return cJSON_CreateString(config_enum_or_unknown(k->names, *(const int *)field));
    case KEY_OPT_COLUMN: {
        const OptColumnRef *oc = field;
        return oc->set ? config_column_json(&oc->col) : cJSON_CreateNull();
    }
    case KEY_WEIGHTS: {
        const ClassWeightOptions *o = field;
        if (o->mode != CLASS_WEIGHT_GIVEN) return cJSON_CreateString(config_enum_or_unknown(class_weight_names, (int)o->mode));
        cJSON *obj = cJSON_CreateObject();
        for (int i = 0; i < o->n; i++) cJSON_AddItemToObject(obj, o->names[i], config_double_json(o->weights[i]));
        return obj;
    }
    case KEY_COLUMN: return config_column_json(field);
    case KEY_COLUMNS: {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < cfg->data.read.n_text_columns && i < READER_MAX_TEXT_COLUMNS; i++)
            cJSON_AddItemToArray(arr, config_column_json(&((const ColumnRef *)field)[i]));
        return arr;
    }
    case KEY_RANGE: {
        const int *pair = field;
        if (pair[0] == 0 && pair[1] == 0) return cJSON_CreateNull();
        cJSON *arr = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, config_int_json(pair[0]));
        cJSON_AddItemToArray(arr, config_int_json(pair[1]));
        return arr;
    }
    }
    return cJSON_CreateNull();
}

char *config_changes(const Config *cfg)
{
    config_json_hooks();
    Config def;
    config_defaults(&def);
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out) abort();
    int n = 0;
    for (size_t i = 0; i < config_keys_count; i++) {
        const ConfigKey *k = &config_keys_table[i];
        cJSON *a = config_value_json(cfg, k), *b = config_value_json(&def, k);
        char *x = cJSON_PrintUnformatted(a), *y = cJSON_PrintUnformatted(b);
        if (strcmp(x, y) != 0) fprintf(out, "%s%s=%s", n++ ? " " : "", k->name, x);
        free(x);
        free(y);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    fclose(out);
    config_free(&def);
    return buf;
}

char *config_to_json(const Config *cfg)
{
    config_json_hooks();
    cJSON *root = cJSON_CreateObject(), *section = NULL;
    for (size_t i = 0; i < config_keys_count; i++) {
        const char *key = config_keys_table[i].name;
        size_t len = config_keys_section_len(key);
        if (i == 0 || strncmp(key, config_keys_table[i - 1].name, len + 1) != 0) {
            char name[32];
            snprintf(name, sizeof name, "%.*s", (int)len, key);
            section = cJSON_AddObjectToObject(root, name);
        }
        cJSON_AddItemToObject(section, key + len + 1, config_value_json(cfg, &config_keys_table[i]));
    }
    char *out = cJSON_Print(root);
    cJSON_Delete(root);
    return out;
}
