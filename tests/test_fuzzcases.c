/* test_fuzzcases.c - replays the fuzzers' inputs through the harness code itself
 * (tests/fuzz/fuzz_*.c, included below): every seed in tests/fuzz/corpus/NAME/
 * and every minimised finding in tests/fuzz/regress/NAME/, so a fixed bug stays
 * fixed in `make unit` (and under AddressSanitizer in `make asan`). Paths are
 * relative to the project root, where the tests run. Each input runs in a child
 * process so a crash or abort() names the file instead of killing the test. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/fuzz_ckpt.c"
#include "fuzz/fuzz_config.c"
#include "fuzz/fuzz_quant.c"
#include "fuzz/fuzz_reader.c"
#include "fuzz/fuzz_tokenizer.c"
#include "fuzz/fuzz_vec.c"

typedef int (*FuzzOneFn)(const uint8_t *data, size_t size);

static int fuzzcases_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Exactly size bytes, so a harness reading past its input is caught by ASan. */
static uint8_t *fuzzcases_read(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s: cannot open", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    uint8_t *d = malloc(n ? (size_t)n : 1);
    ck_assert_ptr_nonnull(d);
    ck_assert_msg(fread(d, 1, (size_t)n, f) == (size_t)n, "%s: cannot read", path);
    fclose(f);
    *size = (size_t)n;
    return d;
}

static void fuzzcases_replay(const char *path, FuzzOneFn fn, const FuzzTmp *tmp)
{
    size_t size;
    uint8_t *data = fuzzcases_read(path, &size);
    fflush(NULL); /* the child must not write the parent's buffered output again */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        fn(data, size);
        if (tmp) fuzz_tmp_remove(tmp);
        free(data);
        exit(0); /* not _exit: LeakSanitizer checks at exit */
    }
    free(data);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    int sig = WIFSIGNALED(status);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: harness %s %d", path,
                  sig ? "died of signal" : "exited with", sig ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* Replays every file in dir (sorted, dot files skipped); returns how many. A
 * missing dir has none: git does not keep an empty regress/NAME/. */
static int fuzzcases_replay_dir(const char *dir, FuzzOneFn fn, const FuzzTmp *tmp)
{
    DIR *d = opendir(dir);
    if (!d) {
        ck_assert_msg(errno == ENOENT, "%s: cannot list: %s", dir, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
            ck_assert_ptr_nonnull(names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, fuzzcases_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        fuzzcases_replay(path, fn, tmp);
        free(names[i]);
    }
    free(names);
    return (int)n;
}

static void fuzzcases_run(const char *name, FuzzOneFn fn, const FuzzTmp *tmp)
{
    char dir[256];
    snprintf(dir, sizeof dir, "tests/fuzz/corpus/%s", name);
    int seeds = fuzzcases_replay_dir(dir, fn, tmp);
    ck_assert_msg(seeds > 0, "%s: no seeds (the tests run from the project root)", dir);
    snprintf(dir, sizeof dir, "tests/fuzz/regress/%s", name);
    fuzzcases_replay_dir(dir, fn, tmp);
}

START_TEST(test_reader_cases)
{
    fuzzcases_run("reader", fuzz_reader_one, &fuzz_reader_tmp);
}
END_TEST

START_TEST(test_tokenizer_cases)
{
    fuzzcases_run("tokenizer", fuzz_tokenizer_one, &fuzz_tokenizer_tmp);
}
END_TEST

START_TEST(test_config_cases)
{
    fuzzcases_run("config", fuzz_config_one, NULL);
}
END_TEST

START_TEST(test_ckpt_cases)
{
    fuzzcases_run("ckpt", fuzz_ckpt_one, &fuzz_ckpt_tmp);
}
END_TEST

START_TEST(test_vec_cases)
{
    fuzzcases_run("vec", fuzz_vec_one, &fuzz_vec_tmp);
}
END_TEST

START_TEST(test_quant_cases)
{
    fuzzcases_run("quant", fuzz_quant_one, NULL);
}
END_TEST

Suite *fuzzcases_suite(void)
{
    Suite *s = suite_create("fuzzcases");
    TCase *tc = tcase_create("fuzzcases");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reader_cases);
    tcase_add_test(tc, test_tokenizer_cases);
    tcase_add_test(tc, test_config_cases);
    tcase_add_test(tc, test_ckpt_cases);
    tcase_add_test(tc, test_vec_cases);
    tcase_add_test(tc, test_quant_cases);
    suite_add_tcase(s, tc);
    return s;
}
