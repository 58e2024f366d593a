/*
 * log_io.c: the kernel's sm_log_io_t table and the sm_io_* helpers that
 * turn errno into one log line plus SM_ERR__IO (see log_io.h).
 *
 * Only this file includes the headers of the system calls the log uses.
 * The helpers retry EINTR and short transfers; every other failure is
 * reported once, here, so callers just propagate the sm_err_t.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "log/log_io.h"

/* ---------------------------------------------------- the kernel's table */

static int
sm_sys_open(const char *path, int flags, mode_t mode)
{
    return open(path, flags | O_CLOEXEC, mode);
}

static int
sm_sys_fallocate(int fd, int mode, off_t off, off_t len)
{
    return fallocate(fd, mode, off, len);
}

/* Index files are preallocated (sparse) and mapped whole.  Without advice
 * the first touch of a page faults in a readahead window (read_ahead_kb,
 * often megabytes) of zero-filled pages: every new segment then zeroes and
 * caches several MB per index.  Index pages are touched one at a time
 * (appends in order, lookups by binary search), so no readahead.  Advice
 * only: a failure changes nothing. */
static void *
sm_sys_mmap(int fd, size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    if (p == MAP_FAILED)
        return NULL;
    (void)madvise(p, len, MADV_RANDOM);
    return p;
}

static int
sm_sys_lock(int fd)
{
    struct flock fl;

    if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        return -1;
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    return fcntl(fd, F_SETLK, &fl);
}

static int
sm_names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
sm_sys_listdir(const char *path, char ***namesp, int *np)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char **names = NULL;
    int n = 0, cap = 0;

    if (d == NULL)
        return -1;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = sm_realloc(names, (size_t)cap * sizeof(*names));
        }
        names[n++] = sm_strdup(de->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, (size_t)n, sizeof(*names), sm_names_cmp);
    *namesp = names;
    *np = n;
    return 0;
}

const sm_log_io_t sm_log_io_default = {
    .name = "kernel",
    .open = sm_sys_open,
    .close = close,
    .pread = pread,
    .pwrite = pwrite,
    .fsync = fsync,
    .ftruncate = ftruncate,
    .fallocate = sm_sys_fallocate,
    .fstat = fstat,
    .futimens = futimens,
    .rename = rename,
    .unlink = unlink,
    .mkdir = mkdir,
    .rmdir = rmdir,
    .mmap = sm_sys_mmap,
    .munmap = munmap,
    .lock = sm_sys_lock,
    .listdir = sm_sys_listdir,
};

const sm_log_io_t *sm_log_io = &sm_log_io_default;

void
sm_log_io_set(const sm_log_io_t *io)
{
    sm_log_io = io ? io : &sm_log_io_default;
}

/* ------------------------------------------------------------- helpers */

sm_err_t
sm_io_fail(const char *call, const char *path)
{
    int e = errno;

    sm_error("log", "%s(%s) failed: %s", call, path, strerror(e));
    errno = e;
    return SM_ERR__IO;
}

sm_err_t
sm_io_open(const char *path, int flags, mode_t mode, int *fdp)
{
    int fd;

    do
        fd = sm_log_io->open(path, flags, mode);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == ENOENT && !(flags & O_CREAT)) {
            *fdp = -1;
            return SM_ERR__NOENT;
        }
        return sm_io_fail("open", path);
    }
    *fdp = fd;
    return SM_OK;
}

void
sm_io_close(int fd, const char *path)
{
    if (fd >= 0 && sm_log_io->close(fd) != 0 && errno != EINTR)
        sm_io_fail("close", path);
}

sm_err_t
sm_io_pread(int fd, void *buf, size_t n, off_t off, size_t *got,
            const char *path)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = sm_log_io->pread(fd, (uint8_t *)buf + done, n - done,
                                     off + (off_t)done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return sm_io_fail("pread", path);
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return SM_OK;
}

sm_err_t
sm_io_pwrite(int fd, const void *buf, size_t n, off_t off, const char *path)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = sm_log_io->pwrite(fd, (const uint8_t *)buf + done,
                                      n - done, off + (off_t)done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return sm_io_fail("pwrite", path);
        }
        if (r == 0) {
            errno = ENOSPC;
            return sm_io_fail("pwrite", path);
        }
        done += (size_t)r;
    }
    return SM_OK;
}

sm_err_t
sm_io_fsync(int fd, const char *path)
{
    /* No EINTR retry: fsync is not interruptible on Linux, and retrying
     * a failed fsync can report success for pages already dropped. */
    if (sm_log_io->fsync(fd) != 0)
        return sm_io_fail("fsync", path);
    return SM_OK;
}

sm_err_t
sm_io_ftruncate(int fd, off_t len, const char *path)
{
    int r;

    do
        r = sm_log_io->ftruncate(fd, len);
    while (r != 0 && errno == EINTR);
    if (r != 0)
        return sm_io_fail("ftruncate", path);
    return SM_OK;
}

sm_err_t
sm_io_reserve(int fd, off_t len, const char *path)
{
    if (sm_log_io->fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, len) == 0)
        return SM_OK;
    if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
        return sm_io_fail("fallocate", path);
    return SM_OK;
}

sm_err_t
sm_io_fstat(int fd, struct stat *st, const char *path)
{
    if (sm_log_io->fstat(fd, st) != 0)
        return sm_io_fail("fstat", path);
    return SM_OK;
}

int64_t
sm_io_mtime_ms(int fd, const char *path)
{
    struct stat st;

    if (sm_io_fstat(fd, &st, path) != SM_OK)
        return -1;
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

sm_err_t
sm_io_set_mtime_ms(int fd, int64_t ms, const char *path)
{
    struct timespec ts[2];

    ts[0].tv_sec = 0;
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = ms / 1000;
    ts[1].tv_nsec = (ms % 1000) * 1000000;
    if (sm_log_io->futimens(fd, ts) != 0)
        return sm_io_fail("futimens", path);
    return SM_OK;
}

sm_err_t
sm_io_rename(const char *from, const char *to)
{
    if (sm_log_io->rename(from, to) != 0) {
        int e = errno;
        sm_error("log", "rename(%s, %s) failed: %s", from, to, strerror(e));
        return SM_ERR__IO;
    }
    return SM_OK;
}

sm_err_t
sm_io_unlink(const char *path, int missing_ok)
{
    if (sm_log_io->unlink(path) != 0) {
        if (errno == ENOENT && missing_ok)
            return SM_OK;
        return sm_io_fail("unlink", path);
    }
    return SM_OK;
}

sm_err_t
sm_io_mkdir(const char *path)
{
    if (sm_log_io->mkdir(path, 0755) != 0 && errno != EEXIST)
        return sm_io_fail("mkdir", path);
    return SM_OK;
}

static char *sm_io_dirname(const char *path);

sm_err_t
sm_io_mkdir_durable(const char *path)
{
    char *parent;
    sm_err_t err;

    if (sm_log_io->mkdir(path, 0755) != 0)
        return errno == EEXIST ? SM_OK : sm_io_fail("mkdir", path);
    parent = sm_io_dirname(path);
    err = sm_io_fsync_dir(parent);
    sm_free(parent);
    return err;
}

int
sm_io_is_dir(const char *path)
{
    int fd = sm_log_io->open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

    if (fd >= 0) {
        sm_log_io->close(fd);
        return 1;
    }
    if (errno == ENOTDIR || errno == ENOENT)
        return 0;
    return (int)sm_io_fail("open", path);
}

sm_err_t
sm_io_rmdir(const char *path)
{
    if (sm_log_io->rmdir(path) != 0)
        return sm_io_fail("rmdir", path);
    return SM_OK;
}

sm_err_t
sm_io_fsync_dir(const char *dir)
{
    sm_err_t err;
    int fd;

    if ((err = sm_io_open(dir, O_RDONLY | O_DIRECTORY, 0, &fd)) != SM_OK)
        return err == SM_ERR__NOENT ? sm_io_fail("open", dir) : err;
    err = sm_io_fsync(fd, dir);
    sm_io_close(fd, dir);
    return err;
}

sm_err_t
sm_io_fsync_dir_if_exists(const char *dir)
{
    sm_err_t err;
    int fd;

    err = sm_io_open(dir, O_RDONLY | O_DIRECTORY, 0, &fd);
    if (err == SM_ERR__NOENT)
        return SM_OK;
    if (err != SM_OK)
        return err;
    err = sm_io_fsync(fd, dir);
    sm_io_close(fd, dir);
    return err;
}

sm_err_t
sm_io_listdir(const char *dir, char ***names, int *n)
{
    if (sm_log_io->listdir(dir, names, n) != 0)
        return sm_io_fail("opendir", dir);
    return SM_OK;
}

void
sm_io_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        sm_free(names[i]);
    sm_free(names);
}

sm_err_t
sm_io_rmtree(const char *dir)
{
    char **names = NULL;
    int n = 0;
    sm_err_t err;

    if ((err = sm_io_listdir(dir, &names, &n)) != SM_OK)
        return err;
    for (int i = 0; i < n && err == SM_OK; i++) {
        char *p = sm_asprintf("%s/%s", dir, names[i]);
        if (sm_log_io->unlink(p) != 0) {
            if (errno == EISDIR || errno == EPERM)
                err = sm_io_rmtree(p);
            else if (errno != ENOENT)
                err = sm_io_fail("unlink", p);
        }
        sm_free(p);
    }
    sm_io_names_free(names, n);
    if (err == SM_OK)
        err = sm_io_rmdir(dir);
    return err;
}

/* Parent directory of path (heap string). */
static char *
sm_io_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return sm_strdup(".");
    if (slash == path)
        return sm_strdup("/");
    return sm_strndup(path, (size_t)(slash - path));
}

sm_err_t
sm_io_write_atomic(const char *path, const void *data, size_t len)
{
    char *tmp = sm_asprintf("%s.tmp", path);
    char *dir = sm_io_dirname(path);
    sm_err_t err;
    int fd = -1;

    err = sm_io_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, &fd);
    if (err != SM_OK)
        goto out;
    if ((err = sm_io_pwrite(fd, data, len, 0, tmp)) != SM_OK)
        goto out;
    if ((err = sm_io_fsync(fd, tmp)) != SM_OK)
        goto out;
    sm_io_close(fd, tmp);
    fd = -1;
    if ((err = sm_io_rename(tmp, path)) != SM_OK)
        goto out;
    err = sm_io_fsync_dir(dir);
out:
    if (fd >= 0)
        sm_io_close(fd, tmp);
    sm_free(tmp);
    sm_free(dir);
    return err;
}

sm_err_t
sm_io_read_small(const char *path, size_t max, char **datap, size_t *lenp)
{
    struct stat st;
    char *data = NULL;
    size_t got = 0;
    sm_err_t err;
    int fd;

    *datap = NULL;
    if ((err = sm_io_open(path, O_RDONLY, 0, &fd)) != SM_OK)
        return err;
    if ((err = sm_io_fstat(fd, &st, path)) != SM_OK)
        goto out;
    if ((uint64_t)st.st_size > max) {
        sm_error("log", "%s: %jd bytes, more than the %zu expected", path,
                 (intmax_t)st.st_size, max);
        err = SM_ERR__TOO_LARGE;
        goto out;
    }
    data = sm_malloc((size_t)st.st_size + 1);
    err = sm_io_pread(fd, data, (size_t)st.st_size, 0, &got, path);
    if (err != SM_OK)
        goto out;
    data[got] = '\0';
    *datap = data;
    *lenp = got;
    data = NULL;
out:
    sm_free(data);
    sm_io_close(fd, path);
    return err;
}

/* --------------------------------------------------------------- names */

char *
sm_log_file_path(const char *dir, int64_t base, const char *suffix,
                 const char *extra)
{
    return sm_asprintf("%s/%020" PRId64 "%s%s", dir, base, suffix,
                       extra ? extra : "");
}

int64_t
sm_log_file_base(const char *name)
{
    int64_t v = 0;

    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    return name[20] == '.' ? v : -1;
}

int
sm_log_name_has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);

    return n >= s && memcmp(name + n - s, suffix, s) == 0;
}
