/* status.h - error reporting for modules (liblinear's check_parameter style).
 * Modules never print or exit: they fill a Status and return -1; the command
 * layer prints st.msg as one line and exits with st.code. */
#ifndef ATTNCLF_STATUS_H
#define ATTNCLF_STATUS_H

enum { STATUS_OK = 0, STATUS_ERROR = 1, STATUS_USAGE = 2 };

typedef struct Status {
    int code;        /* STATUS_OK, STATUS_ERROR (exit 1) or STATUS_USAGE (exit 2) */
    char msg[1024];  /* one line, no trailing newline: "train.csv:12: label column is empty" */
} Status;

void status_clear(Status *st);
/* Both set the message (printf-style) and return -1 so callers can
 * `return status_error(st, ...)`. A NULL st is allowed and ignored. */
int status_error(Status *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int status_usage(Status *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
