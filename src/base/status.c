/* status.c - see status.h. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

void status_clear(Status *st)
{
    if (!st) return;
    st->code = STATUS_OK;
    st->msg[0] = '\0';
}

static void status_vset(Status *st, int code, const char *fmt, va_list ap)
{
    if (!st) return;
    st->code = code;
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    /* Keep the message on one line whatever the caller interpolated. */
    for (char *p = st->msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

int status_error(Status *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    status_vset(st, STATUS_ERROR, fmt, ap);
    va_end(ap);
    return -1;
}

int status_usage(Status *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    status_vset(st, STATUS_USAGE, fmt, ap);
    va_end(ap);
    return -1;
}
