/* jsonget: prints one field of each JSON value in a file, for the shell tests, so that
 * `make check` reads JSON with the project's own cJSON instead of needing Python.
 *
 * Usage: jsonget KEY [FILE]   (FILE defaults to stdin; KEY may be a dotted path, a.b.c)
 *
 * FILE holds one or more JSON objects one after another (log.jsonl's lines, or the one
 * object of `eval --json`). For each, the value at KEY is printed on its own line:
 * numbers in the shortest form that reads back as the same double, strings without
 * quotes, anything else as compact JSON. A value that is not JSON, or lacks KEY, is an
 * error naming the file and the value's position, and the exit status is 1: a check
 * built on this helper never compares two empty outputs. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *name = "stdin";

static void die(const char *what, long index)
{
    if (index > 0)
        fprintf(stderr, "jsonget: %s: value %ld: %s\n", name, index, what);
    else
        fprintf(stderr, "jsonget: %s: %s\n", name, what);
    exit(1);
}

/* The whole stream, NUL-terminated (cJSON parses a C string). */
static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        die("out of memory", 0);
    for (;;) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (ferror(f))
            die(strerror(errno), 0);
        if (feof(f))
            break;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                die("out of memory", 0);
            buf = bigger;
            cap *= 2;
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Walks a dotted path: "per_class.1.f1" looks up per_class, then 1, then f1. */
static const cJSON *lookup(const cJSON *v, const char *path)
{
    char part[256];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof part)
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
        path += n + (path[n] == '.');
    }
    return v;
}

/* %.17g always round-trips; the shortest precision that does reads like the file. */
static void print_number(double x)
{
    char s[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, x);
        if (strtod(s, NULL) == x)
            break;
    }
    puts(s);
}

static void print_value(const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        print_number(v->valuedouble);
    } else if (cJSON_IsString(v)) {
        puts(v->valuestring);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        if (!s)
            die("out of memory", 0);
        puts(s);
        free(s);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: jsonget KEY [FILE]\n");
        return 2;
    }
    FILE *f = stdin;
    if (argc == 3 && strcmp(argv[2], "-") != 0) {
        name = argv[2];
        f = fopen(name, "rb");
        if (!f)
            die(strerror(errno), 0);
    }
    size_t len;
    char *buf = slurp(f, &len);
    if (f != stdin)
        fclose(f);
    if (strlen(buf) != len)
        die("contains a NUL byte", 0);
    long count = 0;
    const char *p = buf;
    for (;;) {
        p += strspn(p, " \t\r\n");
        if (!*p)
            break;
        const char *end = NULL;
        cJSON *v = cJSON_ParseWithOpts(p, &end, 0);
        count++;
        if (!v)
            die("not valid JSON", count);
        const cJSON *field = lookup(v, argv[1]);
        if (!field) {
            char msg[300];
            snprintf(msg, sizeof msg, "no key \"%s\"", argv[1]);
            die(msg, count);
        }
        print_value(field);
        cJSON_Delete(v);
        p = end;
    }
    free(buf);
    if (count == 0)
        die("no JSON value", 0);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "jsonget: stdout: write failed\n");
        return 1;
    }
    return 0;
}
