/*
 * dump_log_util.c: the Java behaviour samsa-dump-log has to reproduce to
 * print what Kafka's DumpLogSegments prints (see dump_log.h).
 *
 *   - java.io.File: the path is normalised on construction (duplicate and
 *     trailing slashes go), getName is the last component, getAbsolutePath
 *     prefixes the working directory without resolving "." or "..".
 *   - Long.parseLong / Integer.parseInt: an optional sign, then decimal
 *     digits, no blanks, overflow rejected.
 *   - new String(bytes, UTF-8): each malformed sequence becomes one U+FFFD;
 *     how many bytes one replacement swallows follows the JDK's decoder
 *     (java.lang.String's UTF-8 fast path, JDK 11-17), e.g. an encoded
 *     surrogate (ED A0 80) is one U+FFFD, a bad second byte replaces only
 *     the lead byte.
 *   - an uncaught exception: the first line of the JVM's report on stderr.
 *
 * Threads: single-threaded tool.  Ownership is noted per function.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "tools/dump_log.h"

int
dl_throw(const char *cls, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "Exception in thread \"main\" %s", cls);
    if (fmt != NULL) {
        fputs(": ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    return -1;
}

/* ------------------------------------------------------------ java.io.File */

/* UnixFileSystem.normalize: collapse "//" and drop a trailing '/'. */
static char *
dl_path_normalize(const char *in)
{
    size_t n = strlen(in), j = 0;
    char *out = sm_malloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        if (in[i] == '/' && j > 0 && out[j - 1] == '/')
            continue;
        out[j++] = in[i];
    }
    if (j > 1 && out[j - 1] == '/')
        j--;
    out[j] = '\0';
    return out;
}

static char *
dl_path_absolute(const char *path)
{
    char *cwd, *abs;

    if (path[0] == '/')
        return sm_strdup(path);
    cwd = getcwd(NULL, 0);
    if (cwd == NULL)
        cwd = sm_strdup(".");    /* Java would use user.dir; best effort */
    if (path[0] == '\0')
        abs = sm_strdup(cwd);
    else if (strcmp(cwd, "/") == 0)
        abs = sm_asprintf("/%s", path);
    else
        abs = sm_asprintf("%s/%s", cwd, path);
    free(cwd);
    return abs;
}

void
dl_file_init(dl_file_t *f, const char *arg)
{
    const char *slash, *dot;

    f->path = dl_path_normalize(arg);
    slash = strrchr(f->path, '/');
    f->name = slash ? slash + 1 : f->path;
    f->abs = dl_path_absolute(f->path);
    /* name.split("\\.")(0): everything before the first dot */
    dot = strchr(f->name, '.');
    f->base = dot ? sm_strndup(f->name, (size_t)(dot - f->name))
                  : sm_strdup(f->name);
}

void
dl_file_fini(dl_file_t *f)
{
    sm_free(f->path);
    sm_free(f->abs);
    sm_free(f->base);
    memset(f, 0, sizeof(*f));
}

char *
dl_file_sibling(const dl_file_t *f, const char *suffix)
{
    const char *slash = strrchr(f->abs, '/');
    size_t plen = slash ? (size_t)(slash - f->abs) : 0;

    if (plen == 0)          /* parent of "/x" is "/" */
        return sm_asprintf("/%s%s", f->base, suffix);
    return sm_asprintf("%.*s/%s%s", (int)plen, f->abs, f->base, suffix);
}

/* ------------------------------------------------------------- numbers */

static int
dl_parse_signed(const char *s, int64_t min, int64_t max, int64_t *out)
{
    int neg = 0;
    uint64_t v = 0, lim;
    const char *p = s;

    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (*p == '\0')
        return -1;
    lim = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > (lim - (uint64_t)(*p - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int
dl_parse_long(const char *s, int64_t *out)
{
    return dl_parse_signed(s, INT64_MIN, INT64_MAX, out);
}

int
dl_parse_int(const char *s, int32_t *out)
{
    int64_t v;

    if (dl_parse_signed(s, INT32_MIN, INT32_MAX, &v) != 0)
        return -1;
    *out = (int32_t)v;
    return 0;
}

int
dl_file_base_offset(const dl_file_t *f, int64_t *out)
{
    if (dl_parse_long(f->base, out) != 0)
        return dl_throw("java.lang.NumberFormatException",
                        "For input string: \"%s\"", f->base);
    return 0;
}

/* ------------------------------------------------------------- mapping */

int
dl_map_open(dl_map_t *m, const char *path, const char *java_path)
{
    struct stat st;
    void *p;
    int fd, rc = -1;

    m->data = NULL;
    m->size = 0;
    m->java_path = java_path;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return dl_throw("java.nio.file.NoSuchFileException", "%s",
                            java_path);
        if (errno == EACCES)
            return dl_throw("java.nio.file.AccessDeniedException", "%s",
                            java_path);
        return dl_throw("java.nio.file.FileSystemException", "%s: %s",
                        java_path, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        dl_throw("java.io.IOException", "%s",
                 S_ISDIR(st.st_mode) ? "Is a directory" : strerror(errno));
        goto out;
    }
    if (st.st_size > INT32_MAX) {
        dl_throw("org.apache.kafka.common.KafkaException",
                 "The size of segment %s (%lld) is larger than the maximum "
                 "allowed segment size of %d", java_path,
                 (long long)st.st_size, INT32_MAX);
        goto out;
    }
    if (st.st_size > 0) {
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            dl_throw("java.io.IOException", "mmap(%s) failed: %s", path,
                     strerror(errno));
            goto out;
        }
        m->data = p;
        m->size = (size_t)st.st_size;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

void
dl_map_close(dl_map_t *m)
{
    if (m->data != NULL)
        munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}

/* ---------------------------------------------------------------- UTF-8 */

#define DL_REPL "\xEF\xBF\xBD"

static int
dl_cont(uint8_t b)
{
    return (b & 0xc0) == 0x80;
}

/* Bytes consumed by one U+FFFD for a bad 3-byte sequence at p (JDK's
 * malformed3): 1 unless the first two bytes were a valid start. */
static size_t
dl_bad3(const uint8_t *p)
{
    return ((p[0] == 0xe0 && (p[1] & 0xe0) == 0x80) || !dl_cont(p[1])) ? 1 : 2;
}

static int
dl_bad4_2(uint8_t b1, uint8_t b2)
{
    return b1 > 0xf4 || (b1 == 0xf0 && (b2 < 0x90 || b2 > 0xbf)) ||
           (b1 == 0xf4 && (b2 & 0xf0) != 0x80) || !dl_cont(b2);
}

/* One multi-byte sequence at p[0..left): bytes it consumes; *ok says
 * whether it was valid (else one U+FFFD stands for it). */
static size_t
dl_utf8_seq(const uint8_t *p, size_t left, int *ok)
{
    uint8_t b1 = p[0];
    uint32_t cp;

    *ok = 0;
    if (b1 >= 0xc2 && b1 <= 0xdf) {
        if (left >= 2 && dl_cont(p[1])) {
            *ok = 1;
            return 2;
        }
        return 1;
    }
    if (b1 >= 0xe0 && b1 <= 0xef) {
        if (left >= 3) {
            if ((b1 == 0xe0 && (p[1] & 0xe0) == 0x80) || !dl_cont(p[1]) ||
                !dl_cont(p[2]))
                return dl_bad3(p);
            cp = ((uint32_t)(b1 & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6);
            *ok = !(cp >= 0xd800 && cp <= 0xdfff);   /* surrogate: one REPL */
            return 3;
        }
        if (left == 2 && ((b1 == 0xe0 && (p[1] & 0xe0) == 0x80) ||
                          !dl_cont(p[1])))
            return 1;
        return left;                 /* truncated at the end: one REPL */
    }
    if (b1 >= 0xf0 && b1 <= 0xf7) {
        if (left >= 4) {
            cp = ((uint32_t)(b1 & 0x07) << 18) |
                 ((uint32_t)(p[1] & 0x3f) << 12) |
                 ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
            if (!dl_cont(p[1]) || !dl_cont(p[2]) || !dl_cont(p[3]) ||
                cp < 0x10000 || cp > 0x10ffff) {
                if (dl_bad4_2(b1, p[1]))
                    return 1;
                return dl_cont(p[2]) ? 3 : 2;
            }
            *ok = 1;
            return 4;
        }
        if (b1 > 0xf4 || (left >= 2 && dl_bad4_2(b1, p[1])))
            return 1;
        if (left >= 3 && !dl_cont(p[2]))
            return 2;
        return left;
    }
    return 1;
}

void
dl_put_utf8(FILE *out, const uint8_t *p, size_t len)
{
    size_t i = 0, run = 0, n;
    int ok;

    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            run++;
            continue;
        }
        n = dl_utf8_seq(p + i, len - i, &ok);
        if (ok) {
            i += n;
            run += n;
            continue;
        }
        fwrite(p + i - run, 1, run, out);
        fputs(DL_REPL, out);
        run = 0;
        i += n;
    }
    fwrite(p + i - run, 1, run, out);
}

/* -------------------------------------------------------------- reports */

void
dl_report_add(dl_report_t *r, const char *path, int64_t a, int64_t b)
{
    dl_pairs_t *fp = NULL;

    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->files[i].path, path) == 0)
            fp = &r->files[i];
    if (fp == NULL) {
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 4;
            r->files = sm_realloc(r->files, r->cap * sizeof(*r->files));
        }
        fp = &r->files[r->n++];
        memset(fp, 0, sizeof(*fp));
        fp->path = sm_strdup(path);
    }
    if (fp->n == fp->cap) {
        fp->cap = fp->cap ? fp->cap * 2 : 8;
        fp->pairs = sm_realloc(fp->pairs, fp->cap * sizeof(*fp->pairs));
    }
    fp->pairs[fp->n][0] = a;
    fp->pairs[fp->n][1] = b;
    fp->n++;
}

void
dl_report_fini(dl_report_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        sm_free(r->files[i].path);
        sm_free(r->files[i].pairs);
    }
    sm_free(r->files);
    memset(r, 0, sizeof(*r));
}
