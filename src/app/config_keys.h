/* config_keys.h - the one list of config keys (internal to app/): each key's name,
 * type, field of Config, default and bounds, and the lookups over it, by name and
 * by nearness for "did you mean" hints. config.c walks the table. */
#ifndef ATTNCLF_CONFIG_KEYS_H
#define ATTNCLF_CONFIG_KEYS_H

#include <stddef.h>

#include "config.h"

typedef enum {
    KEY_BOOL, KEY_INT, KEY_INT64, KEY_UINT64, KEY_DOUBLE, KEY_PATH, KEY_ENUM, KEY_COLUMN, KEY_COLUMNS,
    KEY_RANGE, /* [lo, hi] of whole numbers 1 <= lo <= hi <= max, or null for none: two int fields */
    KEY_STRING,     /* a non-empty string or null (REQUIRED: not null); unlike a path, never rebased */
    KEY_OPT_COLUMN, /* a column as KEY_COLUMN, or null for none (OptColumnRef) */
    KEY_WEIGHTS     /* "none", "balanced" or {"label": weight, ...} (ClassWeightOptions) */
} KeyType;

/* Bounds are enforced by config_validate, not while loading, so a value out of
 * range in a file can still be corrected by a later --set. */
enum { HAS_MIN = 1, HAS_MAX = 2, MIN_OPEN = 4, MAX_OPEN = 8, REQUIRED = 16,
       /* KEY_ENUM: false means the first name, true the second (a switch that grew options) */
       BOOLS = 32,
       AUTO = 64 /* may be "auto": the value is chosen from the training corpus (autoconf.h) */ };

typedef struct ConfigKey {
    const char *name;          /* "section.key" */
    KeyType type;
    size_t offset;             /* of the field in Config */
    const char *def;           /* the default, as JSON */
    unsigned flags;
    double min, max;
    const char *const *names;  /* KEY_ENUM: names in enum order, NULL-terminated */
} ConfigKey;

extern const ConfigKey config_keys_table[];
extern const size_t config_keys_count;

/* The key named name ("section.key"), or NULL. */
const ConfigKey *config_keys_find(const char *name);
/* The length of key's section name ("model" of "model.dim"). */
size_t config_keys_section_len(const char *key);
/* Whether name is a section of some key ("model"). */
int config_keys_is_section(const char *name);
/* A hint for a message about an unknown name, or "": a section (no dot) or a
 * dotted key. A name that is another section's key says so ("epochs" at the top,
 * "model.epochs"); otherwise the nearest key of the section, or of the nearest
 * section, if it is near enough to be a slip. */
void config_keys_hint(const char *name, char *out, size_t cap);

#endif
