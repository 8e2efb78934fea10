/* fuzz_config.c - config_load_string over arbitrary text (as a NUL-terminated
 * string), then config_validate, and the round trip config.h promises: the JSON
 * of config_to_json loads back into an identical Config, so printing that again
 * gives the same text. The same text also goes to config_set as a --set
 * assignment, followed by the same round trip. A failed load or set leaves the
 * Config as it was. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_common.h"

static void fuzz_config_round_trip(const Config *cfg)
{
    Status st, st2;
    int valid = config_validate(cfg, &st);
    if (valid != 0) fuzz_check_failed_status(valid, st.code, st.msg);
    char *json = config_to_json(cfg);
    Config back;
    config_defaults(&back);
    if (config_load_string(&back, json, "round-trip.json", &st) != 0) abort();
    char *again = config_to_json(&back);
    if (strcmp(json, again) != 0) abort();
    /* Identical configs pass or fail validation alike. */
    if ((config_validate(&back, &st2) == 0) != (valid == 0)) abort();
    free(again);
    free(json);
    config_free(&back);
}

/* cfg, which started as the defaults, still is. */
static void fuzz_config_unchanged(const Config *cfg)
{
    Config def;
    config_defaults(&def);
    char *want = config_to_json(&def), *got = config_to_json(cfg);
    if (strcmp(want, got) != 0) abort();
    free(want);
    free(got);
    config_free(&def);
}

int fuzz_config_one(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) abort();
    if (size) memcpy(text, data, size);
    text[size] = '\0';
    Config cfg;
    Status st;
    config_defaults(&cfg);
    int rc = config_load_string(&cfg, text, "fuzz.json", &st);
    if (rc != 0) fuzz_check_failed_status(rc, st.code, st.msg);
    if (rc == 0) fuzz_config_round_trip(&cfg);
    else fuzz_config_unchanged(&cfg);
    config_free(&cfg);

    config_defaults(&cfg);
    rc = config_set(&cfg, text, &st);
    if (rc != 0) fuzz_check_failed_status(rc, st.code, st.msg);
    if (rc == 0) fuzz_config_round_trip(&cfg);
    else fuzz_config_unchanged(&cfg);
    config_free(&cfg);
    free(text);
    return 0;
}

#ifdef ATTNCLF_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_config_one(data, size);
}
#endif
