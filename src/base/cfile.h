/* cfile.h - a cache file: tagged sections written as streams, each with its own
 * XXH64, found through a directory at the end; read back through a read-only
 * mapping after every section's checksum has been verified. Unlike a checkpoint
 * (ckpt.h), which is assembled in memory and written at once, a cache file can
 * be far larger than memory: sections are appended piece by piece, and the
 * reader verifies by reading (not mapping) so that verification does not make
 * the whole file resident.
 *
 * Layout (little-endian):
 *   header, 64 bytes: "ATTNCCH\x1a"  u32 version  char kind[4]  u64 key
 *     u64 directory offset  u32 sections  zero padding
 *   section payloads, each starting on a 64-byte boundary
 *   directory: per section {char tag[4]; u32 0; u64 offset; u64 length; u64 XXH64}
 *   u64 XXH64 of the header and the directory.
 * `key` (a hash of what the file was built from) also names the file; the
 * builder stores the full key in a section of its own and compares it too.
 * Files are written to a temporary name and renamed, but not fsynced: a file a
 * crash has damaged fails its checksums and is built again. */
#ifndef ATTNCLF_CFILE_H
#define ATTNCLF_CFILE_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "status.h"

#define CFILE_VERSION 1u

typedef struct CFileEntry {
    char tag[4];
    uint64_t offset, length, sum;
} CFileEntry;

typedef struct CFileWriter {
    char *path, *tmp;
    int fd;
    unsigned char *stage;  /* [CFILE_STAGE] */
    size_t staged;
    uint64_t pos;          /* bytes written so far, staged included */
    char kind[4];
    uint64_t key;
    CFileEntry *dir;
    int n, cap;
    int open;              /* a section is being written */
    HashStream hs;         /* of the open section */
    int err;               /* errno of the first failure */
} CFileWriter;

/* Starts path's temporary file. */
int cfile_create(CFileWriter *w, const char *path, const char *kind, uint64_t key, Status *st);
/* Starts section `tag` (4 characters); one section is open at a time. */
void cfile_begin(CFileWriter *w, const char *tag);
void cfile_write(CFileWriter *w, const void *data, size_t n);
void cfile_end(CFileWriter *w);
/* The whole section in one call. */
void cfile_section(CFileWriter *w, const char *tag, const void *data, size_t n);
/* Writes the directory and renames the file into place; on failure the
 * temporary file is removed. Frees w either way. */
int cfile_commit(CFileWriter *w, Status *st);
/* Removes the temporary file and frees w. */
void cfile_abort(CFileWriter *w);

typedef struct CFile {
    char *path;
    int fd;              /* open for cfile_read while mapped; -1 when not */
    unsigned char *map;
    uint64_t size;
    uint64_t key;
    CFileEntry *dir;
    int n;
} CFile;

typedef enum { CFILE_OK = 0, CFILE_MISSING, CFILE_DAMAGED } CFileState;

/* Opens path as a cache file of `kind` built for `key`, verifying every
 * section's checksum when `verify` (a file just written by this process needs
 * none). Returns CFILE_MISSING when there is no such file (st says nothing),
 * CFILE_DAMAGED when it is not one, is cut short, fails a checksum or was
 * built for another key (st says which). */
CFileState cfile_open(CFile *f, const char *path, const char *kind, uint64_t key, int verify, Status *st);
void cfile_close(CFile *f);
/* Section `tag`: its bytes in the mapping and their length; NULL when absent. */
const void *cfile_find(const CFile *f, const char *tag, uint64_t *len);
/* A digest of the file's contents (its sections' checksums) apart from section
 * `skip` (NULL: none), such as one naming where the file was built from. */
uint64_t cfile_digest(const CFile *f, const char *skip);
/* Lets the kernel take back the mapping's resident pages (they are read again
 * from the page cache or the file when next touched): keeps the resident size
 * of a pass over a file larger than memory bounded. Safe while other threads
 * read the mapping. */
void cfile_release(const CFile *f);
/* Copies the n bytes the mapping holds at `at` into dst by reading the file,
 * so no page of the mapping becomes resident. 0, or -1 when the read failed
 * or came up short (dst is then undefined). */
int cfile_read(const CFile *f, void *dst, const void *at, size_t n);

#endif
