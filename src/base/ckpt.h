/* ckpt.h - the checkpoint container: tagged sections found through a directory,
 * a byte-order mark, a checksum and an atomic write. It knows no other module's
 * struct: each module writes and reads its own sections (vocab_save/vocab_load,
 * model_save/model_load, ...), and a reader skips the sections it does not know.
 *
 * Format version 4 (little-endian; ckpt.c refuses to build elsewhere):
 *   header, 64 bytes: "ATTNCLF\x1a"  u32 version  u32 byte-order mark 0x0A0B0C0D
 *     u64 file size  u64 directory offset  u32 sections  u32 checksum kind
 *     (1: XXH3-64, what this version writes; 0: XXH64, files written before it)
 *     zero padding
 *   section payloads, each starting on a 64-byte boundary, so that a tensor
 *     section can be used in place from a mapping of the file
 *   directory (8-aligned): per section {char tag[4]; u32 section version;
 *     u64 offset; u64 length}, in file order
 *   u64 checksum (seed 0) of every byte before it, from libxxhash; XXH3-64
 *     is about three times XXH64 from cache (bench/unicode-hash.md).
 * A module bumps its own section version when its bytes change; the file version
 * changes only with the container.
 * Versions 1-3: "ATTNCLF\x1a" u32 version u32 flags u64 size, then sections in a
 * fixed order, each {tag, u32 0, u64 length, payload, zero padding so the next
 * payload starts on a 64-byte boundary}, then XXH64. They are read into the same
 * directory, every section's version being the file's.
 * Files are written to a temporary name, fsynced and renamed, so a crash at any
 * moment leaves either the old file or the complete new one. */
#ifndef ATTNCLF_CKPT_H
#define ATTNCLF_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define CKPT_VERSION 4u

/* ---- writing ---- */

/* A growable byte buffer: a section's own bytes. */
typedef struct CkptBuf {
    unsigned char *p;
    size_t n, cap;
} CkptBuf;

void ckpt_put(CkptBuf *b, const void *data, size_t n);
/* Appends n bytes the caller fills (a bulk section body, written in place). */
unsigned char *ckpt_put_space(CkptBuf *b, size_t n);
void ckpt_put_u32(CkptBuf *b, uint32_t v);
void ckpt_put_u64(CkptBuf *b, uint64_t v);
void ckpt_put_f64(CkptBuf *b, double v);
/* u32 length, then the bytes. */
void ckpt_put_str(CkptBuf *b, const char *s, size_t n);

#define CKPT_MAX_REFS 4

/* A section: its own bytes, then up to CKPT_MAX_REFS borrowed blocks (tensors
 * are written from where they are, not copied). */
typedef struct CkptOutSection {
    char tag[4];
    uint32_t version;
    CkptBuf head;
    const void *ref[CKPT_MAX_REFS];
    uint64_t ref_n[CKPT_MAX_REFS];
    int nref;
} CkptOutSection;

typedef struct CkptWriter {
    CkptOutSection *sec;
    int n, cap;
} CkptWriter;

void ckpt_writer_init(CkptWriter *w);
void ckpt_writer_free(CkptWriter *w);
/* Starts section `tag` (4 characters) and returns the buffer of its own bytes. */
CkptBuf *ckpt_section(CkptWriter *w, const char *tag, uint32_t version);
/* Appends n borrowed bytes to the newest section; they must stay valid until ckpt_write. */
void ckpt_section_ref(CkptWriter *w, const void *p, uint64_t n);
/* Copies every block the nw writers borrow into *buf (grown to fit; free()
 * it), so that they no longer depend on the memory they borrowed: they can then
 * be written while that memory changes (checkpoints written in the
 * background). A block several of them borrow (a run's parameters, in
 * last.ckpt and best.ckpt) is copied once and shared. */
void ckpt_writer_detach(CkptWriter *const *ws, int nw, unsigned char **buf, size_t *cap);
/* Writes every section to path atomically. */
int ckpt_write(const CkptWriter *w, const char *path, Status *st);
/* Makes dst an atomic copy of the complete file src (a hard link when the file
 * system allows, else a copy), replacing dst. */
int ckpt_link(const char *src, const char *dst, Status *st);

/* ---- reading ---- */

typedef struct CkptEntry {
    char tag[4];
    uint32_t version;
    uint64_t offset, length;
} CkptEntry;

/* An open, verified checkpoint: the file is mapped read-only. */
typedef struct CkptReader {
    char *path;
    unsigned char *map;
    uint64_t size;
    uint32_t version;  /* the file's format version */
    CkptEntry *dir;
    int n;
} CkptReader;

typedef struct CkptSection {
    const unsigned char *p;
    uint64_t n;
    uint32_t version;
} CkptSection;

/* Maps path and verifies magic, version, byte order, size, checksum and the
 * directory; errors say which ("best.ckpt: truncated checkpoint (1234 of 5678
 * bytes)", "best.ckpt: checksum mismatch: the checkpoint is damaged"). */
int ckpt_open(CkptReader *r, const char *path, Status *st);
void ckpt_close(CkptReader *r);
/* 1 and the section when the file has `tag`, else 0. */
int ckpt_find(const CkptReader *r, const char *tag, CkptSection *out);
/* "PATH: damaged checkpoint: ..." and -1, for a section whose bytes do not parse. */
int ckpt_damaged(const CkptReader *r, Status *st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads a section's bytes in order; any read past the end sets bad and yields zeros. */
typedef struct CkptCursor {
    const unsigned char *p;
    uint64_t n, pos;
    int bad;
} CkptCursor;

CkptCursor ckpt_cursor(const CkptSection *s);
const unsigned char *ckpt_take(CkptCursor *c, uint64_t n);
void ckpt_copy(CkptCursor *c, void *out, size_t n);
uint32_t ckpt_u32(CkptCursor *c);
uint64_t ckpt_u64(CkptCursor *c);
double ckpt_f64(CkptCursor *c);
/* 1 when every read stayed in bounds and the section is used up. */
int ckpt_done(const CkptCursor *c);

#endif
