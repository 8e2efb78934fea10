/* labelnames.h - names for a corpus's raw labels (data.label_names), as AG News
 * ships them: classes.txt's line k names label "k". A line "RAW<TAB>NAME" names
 * the raw label RAW instead, for labels that are not line numbers. */
#ifndef ATTNCLF_LABELNAMES_H
#define ATTNCLF_LABELNAMES_H

#include <stddef.h>

#include "status.h"

typedef struct LabelNames {
    int n;
    char **raw, **name; /* [n] NUL-terminated; raws and names distinct */
    char *path;
} LabelNames;

/* Reads path: UTF-8 lines, each a name (raw label: its line number) or RAW<TAB>NAME;
 * errors name the file and line (an empty name, a raw label or a name given twice). */
int labelnames_load(LabelNames *ln, const char *path, Status *st);
void labelnames_free(LabelNames *ln);
/* The name of raw label s [n], or NULL when ln names none. */
const char *labelnames_find(const LabelNames *ln, const char *s, size_t n);

#endif
