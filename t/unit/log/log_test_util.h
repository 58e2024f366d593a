/*
 * log_test_util.h: helpers shared by the src/log unit tests.
 *
 * tb_*  build uncompressed RecordBatch v2 bytes by hand (the library's
 *       batch builder is another helper's work): header, zig-zag varint
 *       records, CRC-32C.  Records may have null keys or values.
 * tm_*  a model of what a test appended: a copy of every acknowledged
 *       batch with its assigned offsets, and how far the log was flushed.
 *       tm_check() reopens nothing; it reads the log through the public
 *       API and asserts the invariants of log.c's header comment.
 * ffs_* the fault-injecting sm_log_io_t table (faultfs.c).
 */
#ifndef SM_LOG_TEST_UTIL_H
#define SM_LOG_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_buf.h"
#include "log/log.h"

/* ------------------------------------------------------------ batches */

typedef struct tb_rec {
    const char *key;          /* NULL: null key */
    const char *value;        /* NULL: tombstone */
    int64_t     ts;
} tb_rec_t;

/* Append one batch to out; returns its position in out. */
size_t tb_batch_recs(sm_buf_t *out, int64_t base, const tb_rec_t *recs,
                     int n);
/* n records, value_len bytes each of `fill`, keys "k<base+i>", timestamps
 * ts0 + i.  Returns the position in out. */
size_t tb_batch(sm_buf_t *out, int64_t base, int n, int64_t ts0,
                size_t value_len, uint8_t fill);
/* Recompute the CRC of the batch at p (after editing the header). */
void   tb_fix_crc(uint8_t *p, size_t size);
/* BaseOffset / last offset / MaxTimestamp / size of the batch at p. */
int64_t tb_base(const uint8_t *p);
int64_t tb_last(const uint8_t *p);
int64_t tb_max_ts(const uint8_t *p);
size_t  tb_size(const uint8_t *p);

/* ------------------------------------------------------------ model */

typedef struct tm_batch {
    uint8_t *bytes;
    size_t   size;
    int64_t  base, last, max_ts;
} tm_batch_t;

typedef struct tm_model {
    tm_batch_t *b;
    int         n, cap;
    int64_t     flushed_end;  /* every batch below is acked and flushed */
} tm_model_t;

void tm_init(tm_model_t *m);
void tm_fini(tm_model_t *m);
/* Record an acknowledged batch (copied). */
void tm_add(tm_model_t *m, const uint8_t *p, size_t size);
/* Drop batches at or above offset (after truncate_to). */
void tm_truncate(tm_model_t *m, int64_t offset);

/*
 * Leader-append `nb` batches of `per` records each to log, recording them
 * in m (m may be NULL).  Returns the first error.
 */
sm_err_t tm_append(sm_log_t *log, tm_model_t *m, int nb, int per,
                   size_t value_len, int64_t ts0);

/*
 * Check the log against the model:
 *  - offsets are contiguous from the log start to the end, every batch's
 *    CRC is valid (read in one pass and offset by offset, through the
 *    indexes), and end == last batch's last + 1;
 *  - every model batch below m->flushed_end that is at or above the log
 *    start offset is present byte for byte;
 *  - any batch that is present matches the model batch at its offset
 *    (if the model has one) - nothing foreign appears.
 * Returns the number of batches found.
 */
int tm_check(sm_log_t *log, const tm_model_t *m);

/* Read the whole slice into a new buffer (caller frees). */
uint8_t *tm_slice_bytes(const sm_log_slice_t *s);

/* A default config suited to tests: small segments and indexes. */
void tm_config(sm_log_config_t *cfg, int64_t segment_bytes,
               int32_t index_bytes, int32_t interval);

/* Path helpers */
char *tm_path(const char *dir, const char *name);
int64_t tm_file_size(const char *path);
int   tm_exists(const char *path);
void  tm_write_file(const char *path, const void *p, size_t n);

/* ------------------------------------------------------------ faultfs */

enum {
    FFS_OPEN, FFS_CLOSE, FFS_PREAD, FFS_PWRITE, FFS_FSYNC, FFS_FTRUNCATE,
    FFS_FALLOCATE, FFS_FSTAT, FFS_RENAME, FFS_UNLINK, FFS_MKDIR, FFS_RMDIR,
    FFS_MMAP, FFS_MUNMAP, FFS_LOCK, FFS_LISTDIR, FFS_FUTIMENS, FFS__CNT
};
#define FFS_BIT(op) (1u << (op))

/* Snapshot everything under root as durable and install the table. */
void ffs_install(const char *root);
/* Back to the kernel's table; forget all state. */
void ffs_uninstall(void);
/* Fail the nth (1-based) call among ops in mask, counting from now;
 * persistent: that call and every later one in the mask.  A failing
 * pwrite writes half its bytes first (a torn write). */
void ffs_fail(unsigned mask, long nth, int persistent, int err);
/* At the nth fsync from now (files and directories), crash: the tree under
 * root goes back to its durable state and every later call fails. */
void ffs_crash_at_fsync(long nth);
long ffs_calls(int op);           /* calls of op since install */
long ffs_failures(void);          /* injected failures since install */
int  ffs_crashed(void);
const char *ffs_op_name(int op);

#endif
