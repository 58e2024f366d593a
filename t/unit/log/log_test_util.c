/*
 * log_test_util.c: batch builder, append model and invariant checker for
 * the src/log tests (see log_test_util.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_mem.h"
#include "log/log_test_util.h"
#include "protocol/codec.h"
#include "protocol/records.h"
#include "sm_test.h"

/* ------------------------------------------------------------ batches */

static void
tb_record(sm_buf_t *out, int delta, int64_t ts_delta, const char *key,
          const char *value, const uint8_t *vbytes, size_t vlen)
{
    sm_buf_t r = SM_BUF_INIT;

    sm_wr_i8(&r, 0);
    sm_wr_varlong(&r, ts_delta);
    sm_wr_varint(&r, delta);
    if (key == NULL) {
        sm_wr_varint(&r, -1);
    } else {
        sm_wr_varint(&r, (int32_t)strlen(key));
        sm_wr_raw(&r, key, strlen(key));
    }
    if (value == NULL && vbytes == NULL) {
        sm_wr_varint(&r, -1);
    } else if (vbytes != NULL) {
        sm_wr_varint(&r, (int32_t)vlen);
        sm_wr_raw(&r, vbytes, vlen);
    } else {
        sm_wr_varint(&r, (int32_t)strlen(value));
        sm_wr_raw(&r, value, strlen(value));
    }
    sm_wr_varint(&r, 0);
    sm_wr_varint(out, (int32_t)r.len);
    sm_wr_raw(out, r.data, r.len);
    sm_buf_fini(&r);
}

static size_t
tb_header(sm_buf_t *out, int64_t base, int n, int64_t ts0, int64_t max_ts)
{
    size_t start = out->len;

    sm_wr_i64(out, base);
    sm_wr_i32(out, 0);           /* Length, patched */
    sm_wr_i32(out, -1);          /* PartitionLeaderEpoch */
    sm_wr_i8(out, 2);
    sm_wr_u32(out, 0);           /* CRC, patched */
    sm_wr_i16(out, 0);
    sm_wr_i32(out, n - 1);
    sm_wr_i64(out, ts0);
    sm_wr_i64(out, max_ts);
    sm_wr_i64(out, -1);
    sm_wr_i16(out, -1);
    sm_wr_i32(out, -1);
    sm_wr_i32(out, n);
    return start;
}

static void
tb_finish(sm_buf_t *out, size_t start)
{
    size_t size = out->len - start;

    sm_store_be32(out->data + start + SM_BATCH_OFF_LENGTH,
                  (uint32_t)(size - SM_LOG_OVERHEAD));
    tb_fix_crc(out->data + start, size);
}

size_t
tb_batch_recs(sm_buf_t *out, int64_t base, const tb_rec_t *recs, int n)
{
    int64_t max_ts = -1;
    size_t start;

    for (int i = 0; i < n; i++)
        if (recs[i].ts > max_ts)
            max_ts = recs[i].ts;
    start = tb_header(out, base, n, recs[0].ts, max_ts);
    for (int i = 0; i < n; i++)
        tb_record(out, i, recs[i].ts - recs[0].ts, recs[i].key,
                  recs[i].value, NULL, 0);
    tb_finish(out, start);
    return start;
}

size_t
tb_batch(sm_buf_t *out, int64_t base, int n, int64_t ts0, size_t value_len,
         uint8_t fill)
{
    uint8_t *v = malloc(value_len + 1);
    char key[32];
    size_t start;

    memset(v, fill, value_len);
    start = tb_header(out, base, n, ts0, ts0 + n - 1);
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "k%lld", (long long)(base + i));
        tb_record(out, i, i, key, NULL, v, value_len);
    }
    tb_finish(out, start);
    free(v);
    return start;
}

void
tb_fix_crc(uint8_t *p, size_t size)
{
    sm_store_be32(p + SM_BATCH_OFF_CRC,
                  sm_crc32c(0, p + SM_BATCH_OFF_ATTRIBUTES,
                            size - SM_BATCH_OFF_ATTRIBUTES));
}

int64_t
tb_base(const uint8_t *p)
{
    return (int64_t)sm_load_be64(p);
}

int64_t
tb_last(const uint8_t *p)
{
    return tb_base(p) + (int32_t)sm_load_be32(p + SM_BATCH_OFF_LAST_DELTA);
}

int64_t
tb_max_ts(const uint8_t *p)
{
    return (int64_t)sm_load_be64(p + SM_BATCH_OFF_MAX_TS);
}

size_t
tb_size(const uint8_t *p)
{
    return (size_t)(int32_t)sm_load_be32(p + SM_BATCH_OFF_LENGTH) +
           SM_LOG_OVERHEAD;
}

/* ------------------------------------------------------------ model */

void
tm_init(tm_model_t *m)
{
    memset(m, 0, sizeof(*m));
}

void
tm_fini(tm_model_t *m)
{
    for (int i = 0; i < m->n; i++)
        free(m->b[i].bytes);
    free(m->b);
    memset(m, 0, sizeof(*m));
}

void
tm_add(tm_model_t *m, const uint8_t *p, size_t size)
{
    tm_batch_t *b;

    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->b = realloc(m->b, (size_t)m->cap * sizeof(*m->b));
    }
    b = &m->b[m->n++];
    b->bytes = malloc(size);
    memcpy(b->bytes, p, size);
    b->size = size;
    b->base = tb_base(p);
    b->last = tb_last(p);
    b->max_ts = tb_max_ts(p);
}

void
tm_truncate(tm_model_t *m, int64_t offset)
{
    while (m->n > 0 && m->b[m->n - 1].last >= offset)
        free(m->b[--m->n].bytes);
    if (m->flushed_end > offset)
        m->flushed_end = offset;
}

sm_err_t
tm_append(sm_log_t *log, tm_model_t *m, int nb, int per, size_t value_len,
          int64_t ts0)
{
    sm_buf_t buf = SM_BUF_INIT;
    int64_t first, last;
    sm_err_t err = SM_OK;

    for (int i = 0; i < nb && err == SM_OK; i++) {
        sm_buf_reset(&buf);
        tb_batch(&buf, 0, per, ts0 + i * per, value_len,
                 (uint8_t)('a' + i % 26));
        err = sm_log_append(log, buf.data, buf.len, 7, -1, &first, &last);
        if (err == SM_OK && m != NULL)
            tm_add(m, buf.data, buf.len);
    }
    sm_buf_fini(&buf);
    return err;
}

static const tm_batch_t *
tm_find(const tm_model_t *m, int64_t base)
{
    int lo = 0, hi = m->n - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (m->b[mid].base == base)
            return &m->b[mid];
        if (m->b[mid].base < base)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

uint8_t *
tm_slice_bytes(const sm_log_slice_t *s)
{
    uint8_t *p = malloc(s->len + 1);

    ck_assert_int_eq(sm_log_slice_read(s, p), SM_OK);
    return p;
}

/* One pass from the start: contiguity, CRCs, model agreement. */
static int
tm_check_pass(sm_log_t *log, const tm_model_t *m, int64_t start, int64_t end)
{
    int64_t next = start;
    int found = 0;

    while (next < end) {
        sm_log_slice_t s;
        sm_batch_iter_t it;
        sm_batch_t b;
        uint8_t *p;

        ck_assert_int_eq(sm_log_read(log, next, 1 << 20, INT64_MAX, 1, &s),
                         SM_OK);
        ck_assert_uint_gt(s.len, 0);
        p = tm_slice_bytes(&s);
        sm_batch_iter_init(&it, p, s.len);
        while (sm_batch_next(&it, &b)) {
            const tm_batch_t *mb = m ? tm_find(m, b.base_offset) : NULL;
            ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
            if (next == start)
                ck_assert_int_le(b.base_offset, next);
            else
                ck_assert_int_eq(b.base_offset, next);
            if (mb != NULL) {
                ck_assert_uint_eq(mb->size, b.size);
                ck_assert(memcmp(mb->bytes, b.ptr, b.size) == 0);
            }
            next = b.last_offset + 1;
            found++;
        }
        ck_assert_int_eq(it.err, SM_OK);
        ck_assert(!it.partial);
        free(p);
        sm_log_slice_release(&s);
    }
    ck_assert_int_eq(next, end);
    return found;
}

/* Offset by offset, through the indexes. */
static void
tm_check_each(sm_log_t *log, int64_t start, int64_t end)
{
    for (int64_t o = start; o < end; o++) {
        sm_log_slice_t s;
        uint8_t *p;

        ck_assert_int_eq(sm_log_read(log, o, 1, INT64_MAX, 1, &s), SM_OK);
        ck_assert_uint_gt(s.len, 0);
        p = tm_slice_bytes(&s);
        ck_assert_int_le(tb_base(p), o);
        ck_assert_int_ge(tb_last(p), o);
        ck_assert_uint_eq(tb_size(p), s.len);
        free(p);
        sm_log_slice_release(&s);
    }
}

int
tm_check(sm_log_t *log, const tm_model_t *m)
{
    int64_t start = sm_log_start_offset(log), end = sm_log_end_offset(log);
    sm_log_slice_t s;
    int found;

    ck_assert_int_le(start, end);
    ck_assert_int_le(sm_log_recovery_point(log), end);
    found = tm_check_pass(log, m, start, end);
    tm_check_each(log, start, end);
    ck_assert_int_eq(sm_log_read(log, end, 100, INT64_MAX, 1, &s), SM_OK);
    ck_assert_uint_eq(s.len, 0);
    ck_assert_int_eq(sm_log_read(log, end + 1, 100, INT64_MAX, 1, &s),
                     SM_ERR_OFFSET_OUT_OF_RANGE);
    if (m != NULL) {
        /* durable prefix: every flushed batch not deleted by retention */
        for (int i = 0; i < m->n; i++) {
            if (m->b[i].last >= m->flushed_end || m->b[i].base < start)
                continue;
            ck_assert_msg(m->b[i].last < end, "flushed batch %lld lost "
                          "(end %lld)", (long long)m->b[i].base,
                          (long long)end);
        }
    }
    return found;
}

void
tm_config(sm_log_config_t *cfg, int64_t segment_bytes, int32_t index_bytes,
          int32_t interval)
{
    sm_log_config_defaults(cfg);
    cfg->segment_bytes = segment_bytes;
    cfg->segment_index_bytes = index_bytes;
    cfg->index_interval_bytes = interval;
}

char *
tm_path(const char *dir, const char *name)
{
    return sm_asprintf("%s/%s", dir, name);
}

int64_t
tm_file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

int
tm_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

void
tm_write_file(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
    close(fd);
}
