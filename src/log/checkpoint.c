/*
 * checkpoint.c: Kafka's offset checkpoint files, one per log dir:
 * recovery-point-offset-checkpoint, log-start-offset-checkpoint and
 * cleaner-offset-checkpoint (Kafka's OffsetCheckpointFile).
 *
 * FORMAT (text, UTF-8, '\n' line ends):
 *   LINE      CONTENT
 *      1      version, always "0"
 *      2      number of entries that follow, decimal
 *   3..n+2    "<topic> <partition> <offset>" separated by single spaces
 *              (Kafka's reader splits on any run of whitespace)
 *   Example:
 *      0
 *      2
 *      orders 0 1532
 *      orders 1 977
 *
 * WRITE: the whole file goes to "<name>.tmp", which is fsynced and renamed
 * over the old file, then the directory is fsynced (sm_io_write_atomic),
 * so after a crash the file is the old or the new one, never a mix.
 *
 * READ: a missing file is an empty checkpoint; a wrong version, a count
 * that does not match the lines, or a malformed line is SM_ERR__BAD_MSG
 * (the manager then warns and starts from empty, as Kafka does).
 *
 * Thread-safe (no state); the manager serialises writers of one file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "log/log_int.h"
#include "log/log_io.h"

/* Checkpoint files are small: one line per partition of the dir. */
#define SM_CKPT_MAX_BYTES (64 << 20)

sm_err_t
sm_ckpt_write(const char *path, const sm_ckpt_entry_t *ents, int n)
{
    sm_buf_t buf = SM_BUF_INIT;
    char line[64];
    sm_err_t err;
    int len;

    len = snprintf(line, sizeof(line), "0\n%d\n", n);
    sm_buf_write(&buf, line, (size_t)len);
    for (int i = 0; i < n; i++) {
        sm_buf_write(&buf, ents[i].topic, strlen(ents[i].topic));
        len = snprintf(line, sizeof(line), " %" PRId32 " %" PRId64 "\n",
                       ents[i].partition, ents[i].offset);
        sm_buf_write(&buf, line, (size_t)len);
    }
    err = sm_io_write_atomic(path, buf.data, buf.len);
    sm_buf_fini(&buf);
    return err;
}

/* Parse a decimal integer that must fill [s, e); 0 ok, -1 not a number. */
static int
sm_ckpt_num(const char *s, const char *e, int64_t *v)
{
    char tmp[32], *end;
    size_t n = (size_t)(e - s);

    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *v = strtoll(tmp, &end, 10);
    return *end == '\0' ? 0 : -1;
}

/* Split one line into up to 3 whitespace-separated fields. */
static int
sm_ckpt_fields(const char *s, const char *e, const char **f, const char **fe)
{
    int n = 0;

    while (s < e) {
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == e)
            break;
        if (n == 3)
            return -1;
        f[n] = s;
        while (s < e && *s != ' ' && *s != '\t' && *s != '\r')
            s++;
        fe[n++] = s;
    }
    return n;
}

static sm_err_t
sm_ckpt_parse(const char *path, const char *p, size_t len,
              sm_ckpt_entry_t **entsp, int *np)
{
    const char *end = p + len, *f[3], *fe[3];
    sm_ckpt_entry_t *ents = NULL;
    int64_t version, count, part, off;
    int line = 0, n = 0;

    *entsp = NULL;
    *np = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        int nf = sm_ckpt_fields(p, le, f, fe);

        p = nl ? nl + 1 : end;
        if (nf == 0 && line >= 2)
            continue;                      /* tolerate blank lines */
        if (line == 0 && (nf != 1 || sm_ckpt_num(f[0], fe[0], &version) ||
                          version != 0))
            goto bad;
        if (line == 1) {
            if (nf != 1 || sm_ckpt_num(f[0], fe[0], &count) || count < 0 ||
                count > (int64_t)len)
                goto bad;
            ents = sm_calloc((size_t)count + 1, sizeof(*ents));
        }
        if (line >= 2) {
            if (nf != 3 || n >= count || sm_ckpt_num(f[1], fe[1], &part) ||
                sm_ckpt_num(f[2], fe[2], &off) || part < 0 ||
                part > INT32_MAX)
                goto bad;
            ents[n].topic = sm_strndup(f[0], (size_t)(fe[0] - f[0]));
            ents[n].partition = (int32_t)part;
            ents[n].offset = off;
            n++;
        }
        line++;
    }
    if (line == 0)
        return SM_OK;                      /* empty file: Kafka reads none */
    if (line < 2 || n != count)
        goto bad;
    *entsp = ents;
    *np = n;
    return SM_OK;
bad:
    sm_warn("log", "%s: malformed checkpoint file (line %d)", path, line + 1);
    sm_ckpt_free(ents, n);
    return SM_ERR__BAD_MSG;
}

static int
sm_ckpt_cmp(const void *a, const void *b)
{
    const sm_ckpt_entry_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);

    if (c != 0)
        return c;
    return x->partition < y->partition ? -1 : x->partition > y->partition;
}

sm_err_t
sm_ckpt_read(const char *path, sm_ckpt_entry_t **entsp, int *np)
{
    char *data;
    size_t len;
    sm_err_t err;

    *entsp = NULL;
    *np = 0;
    err = sm_io_read_small(path, SM_CKPT_MAX_BYTES, &data, &len);
    if (err == SM_ERR__NOENT)
        return SM_OK;
    if (err != SM_OK)
        return err;
    err = sm_ckpt_parse(path, data, len, entsp, np);
    sm_free(data);
    if (err == SM_OK && *np > 1)
        qsort(*entsp, (size_t)*np, sizeof(**entsp), sm_ckpt_cmp);
    return err;
}

void
sm_ckpt_free(sm_ckpt_entry_t *ents, int n)
{
    for (int i = 0; i < n; i++)
        sm_free(ents[i].topic);
    sm_free(ents);
}

int64_t
sm_ckpt_find(const sm_ckpt_entry_t *ents, int n, const char *topic,
             int32_t partition)
{
    sm_ckpt_entry_t key = { (char *)topic, partition, 0 };
    const sm_ckpt_entry_t *e;

    e = n > 0 ? bsearch(&key, ents, (size_t)n, sizeof(*ents), sm_ckpt_cmp)
              : NULL;
    return e ? e->offset : -1;
}
