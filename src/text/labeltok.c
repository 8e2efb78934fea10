/* labeltok.c - see labeltok.h. */
#include "labeltok.h"

#include <string.h>

int labeltok_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

const char *labeltok_skip_space(const char *p, const char *end)
{
    while (p < end && labeltok_is_space((unsigned char)*p)) p++;
    return p;
}

int labeltok_is_label(const char *tok, size_t len, const char *prefix, size_t pl)
{
    return len >= pl && memcmp(tok, prefix, pl) == 0;
}

size_t labeltok_text(const char *s, const char *end, const char *prefix, size_t pl, char *out, const char **text,
                     int *runs)
{
    const char *run = NULL;
    size_t len = 0;
    *runs = 0;
    *text = "";
    for (const char *p = labeltok_skip_space(s, end);; p = labeltok_skip_space(p, end)) {
        const char *tok = p;
        while (p < end && !labeltok_is_space((unsigned char)*p)) p++;
        int stop = tok == end, label = !stop && labeltok_is_label(tok, (size_t)(p - tok), prefix, pl);
        if (!stop && !label && !run) run = tok;
        if ((label || stop) && run) {
            const char *to = stop ? end : tok;
            if (out) memcpy(out + len, run, (size_t)(to - run));
            len += (size_t)(to - run);
            if (!(*runs)++) *text = run;
            run = NULL;
        }
        if (stop) break;
    }
    if (*runs > 1 || (out && *runs)) *text = out;
    return len;
}

size_t labeltok_strip(char *out, const char *text, size_t n, const char *prefix)
{
    const char *t;
    int runs;
    return labeltok_text(text, text + n, prefix, strlen(prefix), out, &t, &runs);
}
