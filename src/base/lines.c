/* lines.c - see lines.h. */
#include "lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

int lines_read(const char *path, size_t size, LinesRowFn fn, void **rows, int *n, Status *st)
{
    *rows = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) return status_error(st, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int rc = 0, have = 0;
    long no = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        no++;
        if (strspn(line, " \t\r\n") == strlen(line)) continue;
        if (*n == have) {
            have = have ? 2 * have : 16;
            *rows = xrealloc(*rows, (size_t)have * size);
        }
        rc = fn(path, no, line, (char *)*rows + (size_t)*n * size, st);
        if (rc == 0) (*n)++;
    }
    if (rc == 0 && ferror(f)) rc = status_error(st, "%s: read failed: %s", path, strerror(errno));
    free(line);
    fclose(f);
    return rc;
}
