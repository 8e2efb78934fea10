/* fuzz_tokenizer.c - tokenizer_run over arbitrary bytes, for both tokenizer
 * versions (version 2 with NFKC, NFC and no normalisation), with lowercasing
 * and HTML cleaning on and off, with no token limit and a limit of 7, and the
 * same bytes loaded as a stopword file. Checks what tokenizer.h promises: every
 * token is non-empty, valid UTF-8 without white space, NUL-terminated inside the
 * buffer, in order; a limit keeps a prefix; lowercased tokens are lowercase
 * (version 1: utf8_lower leaves them; version 2: folding and normalising them
 * again changes nothing); loaded stopwords are sorted, unique and never come out
 * as tokens. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "tokenizer.h"
#include "unicode.h"
#include "utf8.h"

static UnicodeForm fuzz_tokenizer_form(const Tokenizer *tk)
{
    return tk->opt.normalize == TOKENIZER_NORM_NFKC ? UNICODE_NFKC
           : tk->opt.normalize == TOKENIZER_NORM_NFC ? UNICODE_NFC
                                                      : UNICODE_NONE;
}

static void fuzz_tokenizer_check_token(const Tokenizer *tk, const char *tok, size_t len)
{
    const unsigned char *s = (const unsigned char *)tok;
    int v2 = tk->opt.version == TOKENIZER_V2;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        int used = utf8_decode(s + i, len - i, &cp);
        /* U+FFFD only ever stands for invalid bytes, which separate tokens. */
        if (cp == UTF8_REPLACEMENT || utf8_is_space(cp)) abort();
        if (v2 && unicode_is_space(cp)) abort();
        if (!v2 && tk->opt.lowercase && utf8_lower(cp) != cp) abort();
        i += (size_t)used;
    }
    if (v2 && tk->opt.lowercase) {
        char stack[1024];
        char *again = len <= sizeof stack ? stack : malloc(len);
        if (!again) abort();
        size_t cap = len <= sizeof stack ? sizeof stack : len;
        size_t n = unicode_fold(again, cap, tok, len, fuzz_tokenizer_form(tk), UNICODE_SINGLE_MARKS);
        if (n != len || memcmp(again, tok, len) != 0) abort();
        if (again != stack) free(again);
    }
}

static void fuzz_tokenizer_check(const Tokenizer *tk, const TokenList *tl)
{
    if (tl->buf_len > tl->buf_cap || tl->n > tl->cap) abort();
    if (tk->opt.max_tokens > 0 && tl->n > (size_t)tk->opt.max_tokens) abort();
    size_t next = 0; /* tokens are laid out one after another */
    for (size_t i = 0; i < tl->n; i++) {
        size_t start = tl->start[i], len = tl->len[i];
        if (len == 0 || start < next || start + len >= tl->buf_len) abort();
        if (tl->buf[start + len] != '\0' || memchr(tl->buf + start, '\0', len)) abort();
        fuzz_tokenizer_check_token(tk, tl->buf + start, len);
        next = start + len + 1;
    }
}

/* Runs text with and without a limit of 7 and checks the limited run is a prefix. */
static void fuzz_tokenizer_pair(Tokenizer *tk, const char *text, size_t len, TokenList *all, TokenList *cut)
{
    tk->opt.max_tokens = 0;
    tokenizer_run(tk, text, len, all);
    fuzz_tokenizer_check(tk, all);
    tk->opt.max_tokens = 7;
    tokenizer_run(tk, text, len, cut);
    fuzz_tokenizer_check(tk, cut);
    if (cut->n != (all->n < 7 ? all->n : 7)) abort();
    for (size_t i = 0; i < cut->n; i++)
        if (cut->len[i] != all->len[i] || memcmp(cut->buf + cut->start[i], all->buf + all->start[i], cut->len[i]))
            abort();
}

static int fuzz_tokenizer_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fuzz_tokenizer_no_stopword(const Tokenizer *tk, const TokenList *tl)
{
    if (tk->n_stopwords == 0) return;
    for (size_t i = 0; i < tl->n; i++) {
        const char *tok = tl->buf + tl->start[i];
        if (bsearch(&tok, tk->stopwords, (size_t)tk->n_stopwords, sizeof *tk->stopwords, fuzz_tokenizer_cmp))
            abort();
    }
}

static FuzzTmp fuzz_tokenizer_tmp;

static void fuzz_tokenizer_init(Tokenizer *tk, int version, int normalize, int on)
{
    TokenizerOptions o = {.lowercase = on, .clean_html = on, .normalize = normalize, .version = version};
    tokenizer_init(tk, &o);
}

/* Loads path (the input) as a stopword file and runs the input with those
 * stopwords. */
static void fuzz_tokenizer_stopwords(int version, const char *path, const uint8_t *data, size_t size,
                                     TokenList *all)
{
    Tokenizer tk;
    fuzz_tokenizer_init(&tk, version, TOKENIZER_NORM_NFKC, 1);
    Status st;
    int rc = tokenizer_load_stopwords(&tk, path, &st);
    if (rc != 0) fuzz_check_failed_status(rc, st.code, st.msg);
    if (rc == 0) {
        for (int64_t w = 0; w < tk.n_stopwords; w++)
            if (tk.stopwords[w][0] == '\0' || (w > 0 && strcmp(tk.stopwords[w - 1], tk.stopwords[w]) >= 0))
                abort();
        tokenizer_run(&tk, (const char *)data, size, all);
        fuzz_tokenizer_check(&tk, all);
        fuzz_tokenizer_no_stopword(&tk, all);
    }
    tokenizer_free(&tk);
}

int fuzz_tokenizer_one(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    /* Version 1, then version 2 with each normalisation; all with lowercase and
     * clean_html on, then off. */
    static const int runs[4][2] = {{TOKENIZER_V1, TOKENIZER_NORM_NONE},
                                   {TOKENIZER_V2, TOKENIZER_NORM_NFKC},
                                   {TOKENIZER_V2, TOKENIZER_NORM_NFC},
                                   {TOKENIZER_V2, TOKENIZER_NORM_NONE}};
    Tokenizer tk;
    TokenList all, cut;
    tokenlist_init(&all);
    tokenlist_init(&cut);
    for (int r = 0; r < 4; r++)
        for (int on = 1; on >= 0; on--) {
            fuzz_tokenizer_init(&tk, runs[r][0], runs[r][1], on);
            fuzz_tokenizer_pair(&tk, text, size, &all, &cut);
        }
    /* Written once: rewriting a file costs more than all the runs above. */
    const char *path = fuzz_tmp_write(&fuzz_tokenizer_tmp, "tokenizer", data, size);
    fuzz_tokenizer_stopwords(TOKENIZER_V1, path, data, size, &all);
    fuzz_tokenizer_stopwords(TOKENIZER_V2, path, data, size, &all);
    tokenlist_free(&all);
    tokenlist_free(&cut);
    return 0;
}

#ifdef ATTNCLF_LIBFUZZER
static void fuzz_tokenizer_cleanup(void)
{
    fuzz_tmp_remove(&fuzz_tokenizer_tmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    atexit(fuzz_tokenizer_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_tokenizer_one(data, size);
}
#endif
