/*
 * log_io.h: the file-system edge of the partition log.
 *
 * Every system call the log makes on its files goes through one table of
 * operations, sm_log_io_t.  The default table calls the kernel; the unit
 * tests install a table that fails the Nth call of a kind (transiently or
 * for good) or "crashes" at the Nth fsync by throwing away every byte and
 * directory entry that was not yet made durable (t/unit/log/faultfs.c,
 * after sqlite's src/test6.c).  Nothing in src/log may call open(2),
 * pwrite(2), fsync(2), rename(2), mmap(2) ... directly.
 *
 * The sm_io_* helpers below wrap the table for the log's code: they retry
 * EINTR and short transfers, and on failure log ONE line naming the
 * syscall and the path, e.g.
 *     fsync(/data/t-0/00000000000000000000.log) failed: Input/output error
 * and return SM_ERR__IO.  errno never travels further than this file.
 *
 * THREADS.  The table pointer is process-wide and is set once, before any
 * log is opened (tests swap it between cases while no log is open).  The
 * helpers themselves are thread-safe.
 *
 * Table members return what the system call returns (-1 and errno on
 * failure), except mmap (NULL on failure) and listdir (see below).
 */
#ifndef SM_LOG_LOG_IO_H
#define SM_LOG_LOG_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/sm_err.h"

typedef struct sm_log_io {
    const char *name;
    int     (*open)(const char *path, int flags, mode_t mode);
    int     (*close)(int fd);
    ssize_t (*pread)(int fd, void *buf, size_t n, off_t off);
    ssize_t (*pwrite)(int fd, const void *buf, size_t n, off_t off);
    int     (*fsync)(int fd);
    int     (*ftruncate)(int fd, off_t len);
    /* fallocate(2): mode 0 or FALLOC_FL_KEEP_SIZE. */
    int     (*fallocate)(int fd, int mode, off_t off, off_t len);
    int     (*fstat)(int fd, struct stat *st);
    /* Set access and modification times (the cleaner keeps a cleaned
     * segment's mtime, on which tombstone expiry depends). */
    int     (*futimens)(int fd, const struct timespec times[2]);
    int     (*rename)(const char *from, const char *to);
    int     (*unlink)(const char *path);
    int     (*mkdir)(const char *path, mode_t mode);
    int     (*rmdir)(const char *path);
    /* Shared read-write mapping of the first len bytes; NULL on failure. */
    void   *(*mmap)(int fd, size_t len);
    int     (*munmap)(void *addr, size_t len);
    /* Exclusive, non-blocking lock of a whole file: flock(2) (other samsa
     * processes) plus an fcntl(2) write lock (Kafka's FileChannel.tryLock
     * uses those), so neither can open the same log dir.  0 or -1. */
    int     (*lock)(int fd);
    /* Names in dir (no "." / ".."), sorted; *names is a malloc'd array of
     * malloc'd strings, free with sm_io_names_free().  0 or -1. */
    int     (*listdir)(const char *dir, char ***names, int *n);
} sm_log_io_t;

/* The table in use; never NULL. */
extern const sm_log_io_t *sm_log_io;
/* The kernel's table. */
extern const sm_log_io_t sm_log_io_default;
/* Install a table (NULL: the default).  Not thread-safe, see above. */
void sm_log_io_set(const sm_log_io_t *io);

/* ------------------------------------------------------------- helpers */

/* Log "<call>(<path>) failed: <strerror(errno)>" and return SM_ERR__IO. */
sm_err_t sm_io_fail(const char *call, const char *path);

sm_err_t sm_io_open(const char *path, int flags, mode_t mode, int *fdp);
/* Close, logging (not returning) a failure: nothing can be done about it. */
void     sm_io_close(int fd, const char *path);
/* Read up to n bytes at off; *got < n only at end of file. */
sm_err_t sm_io_pread(int fd, void *buf, size_t n, off_t off, size_t *got,
                     const char *path);
/* Write all n bytes at off. */
sm_err_t sm_io_pwrite(int fd, const void *buf, size_t n, off_t off,
                      const char *path);
sm_err_t sm_io_fsync(int fd, const char *path);
sm_err_t sm_io_ftruncate(int fd, off_t len, const char *path);
/* Reserve blocks for [0, len) without changing the size (the segment
 * `preallocate` option); best effort: unsupported is not an error. */
sm_err_t sm_io_reserve(int fd, off_t len, const char *path);
sm_err_t sm_io_fstat(int fd, struct stat *st, const char *path);
/* Modification time in ms (fstat), -1 after logging a failure. */
int64_t  sm_io_mtime_ms(int fd, const char *path);
sm_err_t sm_io_set_mtime_ms(int fd, int64_t ms, const char *path);
sm_err_t sm_io_rename(const char *from, const char *to);
/* ENOENT is not an error when missing_ok. */
sm_err_t sm_io_unlink(const char *path, int missing_ok);
sm_err_t sm_io_mkdir(const char *path);          /* EEXIST is fine */
/* mkdir, and when the directory is new, fsync its parent so the new
 * entry survives a crash (Kafka flushes the parent the same way). */
sm_err_t sm_io_mkdir_durable(const char *path);
/* 1 if path is a directory, 0 if it is something else, SM_ERR__IO (< 0)
 * if that cannot be told. */
int      sm_io_is_dir(const char *path);
sm_err_t sm_io_rmdir(const char *path);
/* open(O_DIRECTORY) + fsync + close: makes entries created, renamed or
 * removed in dir durable. */
sm_err_t sm_io_fsync_dir(const char *dir);
/* The same, but a directory that no longer exists (renamed away for
 * deletion while a flush ran) is not an error and is not logged. */
sm_err_t sm_io_fsync_dir_if_exists(const char *dir);
sm_err_t sm_io_listdir(const char *dir, char ***names, int *n);
void     sm_io_names_free(char **names, int n);
/* Remove dir and everything in it (files and one level of directories
 * deep enough for a partition dir). */
sm_err_t sm_io_rmtree(const char *dir);

/*
 * Replace path with data[0..len) atomically: write "<path>.tmp", fsync it,
 * rename over path, fsync the directory (Kafka's checkpoint protocol).
 * After a crash path holds either the old or the new content.
 */
sm_err_t sm_io_write_atomic(const char *path, const void *data, size_t len);
/* Read a small whole file into a malloc'd NUL-terminated buffer (max
 * bytes at most; bigger files are SM_ERR__TOO_LARGE).  SM_ERR__NOENT if
 * missing.  Caller frees *datap. */
sm_err_t sm_io_read_small(const char *path, size_t max, char **datap,
                          size_t *lenp);

/* ------------------------------------------------------------- names */

#define SM_LOG_SUFFIX        ".log"
#define SM_INDEX_SUFFIX      ".index"
#define SM_TIMEINDEX_SUFFIX  ".timeindex"
#define SM_TXNINDEX_SUFFIX   ".txnindex"
#define SM_DELETED_SUFFIX    ".deleted"
#define SM_CLEANED_SUFFIX    ".cleaned"
#define SM_SWAP_SUFFIX       ".swap"
#define SM_DELETE_DIR_SUFFIX "-delete"

/* "<dir>/<20-digit base><suffix><extra>" as a new heap string. */
char *sm_log_file_path(const char *dir, int64_t base, const char *suffix,
                       const char *extra);
/* Parse the 20-digit base offset at the start of a file name; -1 if the
 * name does not start with exactly 20 digits followed by '.'. */
int64_t sm_log_file_base(const char *name);
/* 1 if name ends with suffix. */
int sm_log_name_has_suffix(const char *name, const char *suffix);

#endif
