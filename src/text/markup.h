/* markup.h - the tokenizer's clean_html step (tokenizer.h step 1): tags become a
 * space, character references are decoded, and the leftovers of AG News'
 * mangled references are repaired.
 *  - A tag is '<' + a letter, '/' or '!' up to the next '>' at most 256 bytes on.
 *  - Numeric references "&#NNN;" "&#xHH;" decode as HTML5 does: 128..159 as
 *    Windows-1252, 0 and invalid values as U+FFFD.
 *  - Named references: the legacy set decodes about 25 common names (&lt; &gt;
 *    &amp; &quot; &apos; &nbsp; as a plain space, &hellip; &mdash; &euro; ...),
 *    always with their ';'. The html5 set is the full HTML5 table
 *    (markup_entities.h, 2231 names, &nbsp; is U+00A0); its 106 legacy names
 *    without ';' ("&amp", "&eacute") decode when neither a letter, digit nor '='
 *    follows, HTML5's rule inside attribute values, so "&notify=1" in a URL stays.
 *  - AG News lost the '&' of some references and left a space in its place:
 *    "doesn #39;t", " quot;", "AT amp;T" decode (amp lt gt quot nbsp and
 *    printable numbers), eating that space; "\" (its line break) is a space. */
#ifndef ATTNCLF_MARKUP_H
#define ATTNCLF_MARKUP_H

#include <stddef.h>

typedef enum MarkupEntities {
    MARKUP_ENTITIES_LEGACY, /* tokenizer version 1 */
    MARKUP_ENTITIES_HTML5,  /* tokenizer version 2 */
} MarkupEntities;

/* Bytes markup_clean may write for n input bytes: no rewrite is longer than its
 * source, except &nGt; and &nLt; (5 bytes to 6) of the HTML5 set. */
#define MARKUP_CLEAN_BOUND(n) ((n) + (n) / 5 + 1)

/* Cleans s[0..n) into out (MARKUP_CLEAN_BOUND(n) bytes); returns the length. */
size_t markup_clean(char *out, const char *s, size_t n, MarkupEntities set);
/* 0 if markup_clean would give s[0..n) back as it is: every rewrite needs a '<',
 * '&', '\' or ';', and memchr finds those faster than markup_clean copies. */
int markup_has_markup(const char *s, size_t n);

#endif
