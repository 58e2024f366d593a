/*
 * faultfs.c: a fault-injecting sm_log_io_t for the log tests, after
 * sqlite's src/test6.c (crash simulation) and test/malloc_common.tcl
 * (fail the Nth call, once or for good).
 *
 * FAILURES.  ffs_fail(mask, n, persistent, errno) makes the nth call (from
 * now) of any op in mask fail with errno; persistent makes every later one
 * fail too.  A failing pwrite first writes half of its bytes, like a disk
 * that filled up half-way, so callers must undo torn writes.
 *
 * CRASHES.  The table keeps a model of what is durable, in the spirit of
 * POSIX's weakest promises:
 *   - a file's content is durable as of its last fsync;
 *   - a directory entry (create, rename, unlink, mkdir) is durable as of
 *     the last fsync of its directory.
 * Both are kept per inode, under ids of our own so an inode number reused
 * after an unlink is not confused with the old file.  ffs_crash_at_fsync(n)
 * turns the nth fsync into a crash: the real tree under the root is wiped
 * and rebuilt from the model (files never synced come back empty, entries
 * never synced do not come back), and from then on every call fails with
 * EIO except close and munmap, until ffs_uninstall().
 *
 * Single-threaded: the tests that install it run no background threads.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "log/log_io.h"
#include "log/log_test_util.h"

typedef struct ffs_ent {
    char *name;
    long  id;
    int   is_dir;
} ffs_ent_t;

typedef struct ffs_node {
    long       id;
    uint8_t   *data;          /* file: durable content */
    size_t     len;
    int        has_data;
    ffs_ent_t *ents;          /* dir: durable entries */
    int        nents;
} ffs_node_t;

typedef struct ffs_ino {
    dev_t dev;
    ino_t ino;
    long  id;
} ffs_ino_t;

static struct {
    int         on;
    char       *root;
    long        root_id;
    ffs_node_t *nodes;
    int         nnodes, cap;
    ffs_ino_t  *inos;
    int         ninos, icap;
    long        next_id;
    long        calls[FFS__CNT];
    unsigned    fail_mask;
    long        fail_nth, fail_seen;
    int         fail_persistent, fail_errno;
    long        failures;
    long        crash_nth, fsync_seen;
    int         crashed;
} F;

static const char *const ffs_names[FFS__CNT] = {
    "open", "close", "pread", "pwrite", "fsync", "ftruncate", "fallocate",
    "fstat", "rename", "unlink", "mkdir", "rmdir", "mmap", "munmap", "lock",
    "listdir", "futimens"
};

const char *
ffs_op_name(int op)
{
    return ffs_names[op];
}

/* ------------------------------------------------------------ model */

static ffs_node_t *
ffs_node(long id)
{
    for (int i = 0; i < F.nnodes; i++)
        if (F.nodes[i].id == id)
            return &F.nodes[i];
    if (F.nnodes == F.cap) {
        F.cap = F.cap ? F.cap * 2 : 64;
        F.nodes = realloc(F.nodes, (size_t)F.cap * sizeof(*F.nodes));
    }
    memset(&F.nodes[F.nnodes], 0, sizeof(ffs_node_t));
    F.nodes[F.nnodes].id = id;
    return &F.nodes[F.nnodes++];
}

static long
ffs_id_of(const struct stat *st)
{
    for (int i = 0; i < F.ninos; i++)
        if (F.inos[i].ino == st->st_ino && F.inos[i].dev == st->st_dev)
            return F.inos[i].id;
    if (F.ninos == F.icap) {
        F.icap = F.icap ? F.icap * 2 : 64;
        F.inos = realloc(F.inos, (size_t)F.icap * sizeof(*F.inos));
    }
    F.inos[F.ninos].dev = st->st_dev;
    F.inos[F.ninos].ino = st->st_ino;
    F.inos[F.ninos].id = ++F.next_id;
    return F.inos[F.ninos++].id;
}

/* The inode behind path is going away: later files reusing its number
 * get a fresh id. */
static void
ffs_detach_path(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return;
    for (int i = 0; i < F.ninos; i++) {
        if (F.inos[i].ino == st.st_ino && F.inos[i].dev == st.st_dev) {
            F.inos[i] = F.inos[--F.ninos];
            return;
        }
    }
}

static void
ffs_node_clear_ents(ffs_node_t *n)
{
    for (int i = 0; i < n->nents; i++)
        free(n->ents[i].name);
    free(n->ents);
    n->ents = NULL;
    n->nents = 0;
}

/* Capture the current content of the file open as fd. */
static void
ffs_sync_file(int fd, const struct stat *st)
{
    ffs_node_t *n = ffs_node(ffs_id_of(st));
    size_t len = (size_t)st->st_size, got = 0;

    free(n->data);
    n->data = malloc(len + 1);
    while (got < len) {
        ssize_t r = pread(fd, n->data + got, len - got, (off_t)got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    n->len = got;
    n->has_data = 1;
}

/* Capture the current entries of the directory open as fd. */
static void
ffs_sync_dir(int fd, const struct stat *st)
{
    ffs_node_t *n = ffs_node(ffs_id_of(st));
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    struct dirent *de;
    struct stat cst;
    int cap = 0;

    ffs_node_clear_ents(n);
    if (d == NULL)
        return;
    rewinddir(d);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (fstatat(fd, de->d_name, &cst, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (n->nents == cap) {
            cap = cap ? cap * 2 : 16;
            n->ents = realloc(n->ents, (size_t)cap * sizeof(*n->ents));
        }
        n = ffs_node(ffs_id_of(st));      /* realloc of nodes: refetch */
        n->ents[n->nents].name = strdup(de->d_name);
        n->ents[n->nents].id = ffs_id_of(&cst);
        n->ents[n->nents].is_dir = S_ISDIR(cst.st_mode);
        n->nents++;
    }
    closedir(d);
}

/* Snapshot a whole tree as durable (install). */
static void
ffs_snapshot(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY);

    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        ffs_node_t *n;
        ffs_sync_dir(fd, &st);
        n = ffs_node(ffs_id_of(&st));
        for (int i = 0; i < n->nents; i++) {
            char *child = sm_asprintf("%s/%s", path, n->ents[i].name);
            ffs_snapshot(child);
            free(child);
            n = ffs_node(ffs_id_of(&st));
        }
    } else {
        ffs_sync_file(fd, &st);
    }
    close(fd);
}

static void
ffs_wipe(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char *child;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        child = sm_asprintf("%s/%s", path, de->d_name);
        if (unlink(child) != 0) {
            ffs_wipe(child);
            rmdir(child);
        }
        free(child);
    }
    closedir(d);
}

static void
ffs_rebuild(const char *path, long id)
{
    ffs_node_t *n = ffs_node(id);
    int nents = n->nents;

    for (int i = 0; i < nents; i++) {
        ffs_node_t *dn = ffs_node(id);
        char *child = sm_asprintf("%s/%s", path, dn->ents[i].name);
        long cid = dn->ents[i].id;

        if (dn->ents[i].is_dir) {
            mkdir(child, 0755);
            ffs_rebuild(child, cid);
        } else {
            ffs_node_t *cn = ffs_node(cid);
            int fd = open(child, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                if (cn->has_data && cn->len > 0 &&
                    write(fd, cn->data, cn->len) != (ssize_t)cn->len)
                    fprintf(stderr, "faultfs: rebuild write failed\n");
                close(fd);
            }
        }
        free(child);
    }
}

static void
ffs_crash(void)
{
    F.crashed = 1;
    ffs_wipe(F.root);
    ffs_rebuild(F.root, F.root_id);
}

/* ------------------------------------------------------------ injection */

/* 1 if this call must fail (errno set). */
static int
ffs_enter(int op)
{
    F.calls[op]++;
    if (F.crashed && op != FFS_CLOSE && op != FFS_MUNMAP) {
        errno = EIO;
        return 1;
    }
    if (F.fail_nth > 0 && (F.fail_mask & FFS_BIT(op))) {
        F.fail_seen++;
        if (F.fail_seen == F.fail_nth ||
            (F.fail_persistent && F.fail_seen > F.fail_nth)) {
            F.failures++;
            errno = F.fail_errno;
            return 1;
        }
    }
    return 0;
}

static int
ffs_open(const char *path, int flags, mode_t mode)
{
    return ffs_enter(FFS_OPEN) ? -1
                               : sm_log_io_default.open(path, flags, mode);
}

static int
ffs_close(int fd)
{
    ffs_enter(FFS_CLOSE);
    return close(fd);
}

static ssize_t
ffs_pread(int fd, void *buf, size_t n, off_t off)
{
    return ffs_enter(FFS_PREAD) ? -1 : pread(fd, buf, n, off);
}

static ssize_t
ffs_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (ffs_enter(FFS_PWRITE)) {
        int e = errno;
        if (!F.crashed && n > 1 && pwrite(fd, buf, n / 2, off) < 0)
            fprintf(stderr, "faultfs: torn write failed\n");
        errno = e;
        return -1;
    }
    return pwrite(fd, buf, n, off);
}

static int
ffs_fsync(int fd)
{
    struct stat st;

    if (ffs_enter(FFS_FSYNC))
        return -1;
    if (F.crash_nth > 0 && ++F.fsync_seen == F.crash_nth) {
        ffs_crash();
        errno = EIO;
        return -1;
    }
    if (fstat(fd, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode))
        ffs_sync_dir(fd, &st);
    else
        ffs_sync_file(fd, &st);
    return 0;
}

static int
ffs_ftruncate(int fd, off_t len)
{
    return ffs_enter(FFS_FTRUNCATE) ? -1 : ftruncate(fd, len);
}

static int
ffs_fallocate(int fd, int mode, off_t off, off_t len)
{
    return ffs_enter(FFS_FALLOCATE)
        ? -1 : sm_log_io_default.fallocate(fd, mode, off, len);
}

static int
ffs_fstat(int fd, struct stat *st)
{
    return ffs_enter(FFS_FSTAT) ? -1 : fstat(fd, st);
}

static int
ffs_futimens(int fd, const struct timespec ts[2])
{
    return ffs_enter(FFS_FUTIMENS) ? -1 : futimens(fd, ts);
}

static int
ffs_rename(const char *from, const char *to)
{
    struct stat a, b;

    if (ffs_enter(FFS_RENAME))
        return -1;
    if (lstat(from, &a) == 0 && lstat(to, &b) == 0 &&
        (a.st_ino != b.st_ino || a.st_dev != b.st_dev))
        ffs_detach_path(to);
    return rename(from, to);
}

static int
ffs_unlink(const char *path)
{
    if (ffs_enter(FFS_UNLINK))
        return -1;
    ffs_detach_path(path);
    return unlink(path);
}

static int
ffs_mkdir(const char *path, mode_t mode)
{
    return ffs_enter(FFS_MKDIR) ? -1 : mkdir(path, mode);
}

static int
ffs_rmdir(const char *path)
{
    if (ffs_enter(FFS_RMDIR))
        return -1;
    ffs_detach_path(path);
    return rmdir(path);
}

static void *
ffs_mmap(int fd, size_t len)
{
    return ffs_enter(FFS_MMAP) ? NULL : sm_log_io_default.mmap(fd, len);
}

static int
ffs_munmap(void *p, size_t len)
{
    ffs_enter(FFS_MUNMAP);
    return sm_log_io_default.munmap(p, len);
}

static int
ffs_lock(int fd)
{
    return ffs_enter(FFS_LOCK) ? -1 : sm_log_io_default.lock(fd);
}

static int
ffs_listdir(const char *dir, char ***names, int *n)
{
    return ffs_enter(FFS_LISTDIR) ? -1
                                  : sm_log_io_default.listdir(dir, names, n);
}

static const sm_log_io_t ffs_table = {
    .name = "faultfs",
    .open = ffs_open,
    .close = ffs_close,
    .pread = ffs_pread,
    .pwrite = ffs_pwrite,
    .fsync = ffs_fsync,
    .ftruncate = ffs_ftruncate,
    .fallocate = ffs_fallocate,
    .fstat = ffs_fstat,
    .futimens = ffs_futimens,
    .rename = ffs_rename,
    .unlink = ffs_unlink,
    .mkdir = ffs_mkdir,
    .rmdir = ffs_rmdir,
    .mmap = ffs_mmap,
    .munmap = ffs_munmap,
    .lock = ffs_lock,
    .listdir = ffs_listdir,
};

/* ------------------------------------------------------------ control */

void
ffs_install(const char *root)
{
    struct stat st;

    ffs_uninstall();
    F.root = strdup(root);
    if (stat(root, &st) == 0)
        F.root_id = ffs_id_of(&st);
    ffs_snapshot(root);
    F.on = 1;
    sm_log_io_set(&ffs_table);
}

void
ffs_uninstall(void)
{
    sm_log_io_set(NULL);
    for (int i = 0; i < F.nnodes; i++) {
        free(F.nodes[i].data);
        ffs_node_clear_ents(&F.nodes[i]);
    }
    free(F.nodes);
    free(F.inos);
    free(F.root);
    memset(&F, 0, sizeof(F));
}

void
ffs_fail(unsigned mask, long nth, int persistent, int err)
{
    F.fail_mask = mask;
    F.fail_nth = nth;
    F.fail_seen = 0;
    F.fail_persistent = persistent;
    F.fail_errno = err;
}

void
ffs_crash_at_fsync(long nth)
{
    F.crash_nth = nth;
    F.fsync_seen = 0;
}

long
ffs_calls(int op)
{
    return F.calls[op];
}

long
ffs_failures(void)
{
    return F.failures;
}

int
ffs_crashed(void)
{
    return F.crashed;
}
