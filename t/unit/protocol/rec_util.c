/*
 * rec_util.c: the helpers declared in rec_util.h.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "rec_util.h"
#include "sm_test.h"

#define RT_TS0 1600000000000LL
#define RT_BIG (100 * 1024)

static uint8_t rt_big[RT_BIG];

static sm_bytes_t
rt_b(const char *s)
{
    sm_bytes_t b = { (const uint8_t *)s, s ? (int32_t)strlen(s) : -1 };
    return b;
}

static sm_str_t
rt_s(const char *s)
{
    return sm_str_cstr(s);
}

int
rt_std_records(rt_rec_t *recs, int max, int64_t base)
{
    static const char *keys[] = { "key-0", NULL, "key-2", "", "big" };
    static const char *vals[] = { "value-0", "value-1 with a null key",
                                  NULL, "", NULL };
    static const int64_t dts[] = { 0, 5, -3, 1000, 7 };
    int n = 5;

    ck_assert_int_ge(max, n);
    for (size_t i = 0; i < sizeof(rt_big); i++)
        rt_big[i] = (uint8_t)("samsa-record-"[i % 13] + (i / 4096));
    memset(recs, 0, sizeof(*recs) * (size_t)n);
    for (int i = 0; i < n; i++) {
        recs[i].offset = base + i;
        recs[i].timestamp = RT_TS0 + dts[i];
        recs[i].key = rt_b(keys[i]);
        recs[i].value = rt_b(vals[i]);
    }
    recs[4].value.ptr = rt_big;
    recs[4].value.len = RT_BIG;
    recs[0].nhdrs = 1;
    recs[0].hdrs[0].key = rt_s("h1");
    recs[0].hdrs[0].value = rt_b("v1");
    recs[2].nhdrs = 2;
    recs[2].hdrs[0].key = rt_s("a");
    recs[2].hdrs[0].value = SM_BYTES_NULL;
    recs[2].hdrs[1].key = rt_s("b");
    recs[2].hdrs[1].value = rt_b("");
    return n;
}

sm_err_t
rt_build(sm_buf_t *out, int8_t magic, sm_codec_t codec, const rt_rec_t *recs,
         int n, int flags)
{
    sm_batch_builder_t bb;

    sm_batch_builder_init(&bb, out, magic, codec, n ? recs[0].offset : 0);
    if (flags >= 0)
        bb.codec_flags = flags;
    for (int i = 0; i < n; i++)
        sm_batch_builder_add_at(&bb, recs[i].offset, recs[i].timestamp,
                                recs[i].key, recs[i].value, recs[i].hdrs,
                                magic == 2 ? recs[i].nhdrs : 0);
    return sm_batch_builder_finish(&bb);
}

int
rt_bytes_eq(sm_bytes_t a, sm_bytes_t b)
{
    if (a.len != b.len)
        return 0;
    return a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

static void
rt_check_record(const sm_record_t *rec, const rt_rec_t *w, int want_headers)
{
    sm_record_header_t h[RT_MAX_HDRS];

    ck_assert_int_eq(rec->offset, w->offset);
    ck_assert_int_eq(rec->timestamp, w->timestamp);
    ck_assert_msg(rt_bytes_eq(rec->key, w->key), "key of %lld",
                  (long long)w->offset);
    ck_assert_msg(rt_bytes_eq(rec->value, w->value), "value of %lld",
                  (long long)w->offset);
    if (!want_headers) {
        ck_assert_int_eq(rec->header_count, 0);
        return;
    }
    ck_assert_int_eq(rec->header_count, w->nhdrs);
    ck_assert_int_eq(sm_record_headers(rec, h, RT_MAX_HDRS), w->nhdrs);
    for (int i = 0; i < w->nhdrs; i++) {
        ck_assert(sm_str_eq(h[i].key, w->hdrs[i].key));
        ck_assert(rt_bytes_eq(h[i].value, w->hdrs[i].value));
    }
}

int
rt_check_blob(const uint8_t *blob, size_t len, const rt_rec_t *want, int n,
              int want_headers)
{
    sm_batch_iter_t bi;
    sm_batch_t b;
    int entries = 0, i = 0;

    sm_batch_iter_init(&bi, blob, len);
    while (sm_batch_next(&bi, &b)) {
        sm_rec_iter_t it;
        sm_record_t rec;

        entries++;
        ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
        ck_assert_int_eq(sm_rec_iter_init(&it, &b, RT_MAX_DECOMP), SM_OK);
        while (sm_rec_iter_next(&it, &rec)) {
            ck_assert_int_lt(i, n);
            rt_check_record(&rec, &want[i], want_headers);
            i++;
        }
        ck_assert_msg(it.err == SM_OK, "record error %s",
                      sm_err_name(it.err));
        sm_rec_iter_fini(&it);
    }
    ck_assert_int_eq(bi.err, SM_OK);
    ck_assert_int_eq(bi.partial, 0);
    ck_assert_int_eq(i, n);
    return entries;
}

/* sm_rec_iter_scan (the validator's walk) must pass exactly the records
 * sm_rec_iter_next yields and end with the same error; with a check that
 * every record fails, it must stop at each of them in turn. */
static void
rt_scan_agrees(const sm_batch_t *b, int records, sm_err_t err)
{
    sm_rec_scan_t none = { 0, 0, 0, 0 };
    sm_rec_scan_t all = { 1, 1, INT64_MAX, INT64_MIN };
    sm_rec_iter_t it;
    sm_record_t rec;
    int32_t n = 0;
    int stops = 0;

    (void)sm_rec_iter_init(&it, b, 1 << 20);
    ck_assert_int_eq(sm_rec_iter_scan(&it, &none, &rec, &n), 0);
    ck_assert_int_eq(n, records);
    ck_assert_int_eq(it.err, err);
    sm_rec_iter_fini(&it);

    n = 0;
    (void)sm_rec_iter_init(&it, b, 1 << 20);
    while (stops <= records && sm_rec_iter_scan(&it, &all, &rec, &n)) {
        stops++;
        ck_assert(rec.key.len < 0 || rec.timestamp != SM_NO_TIMESTAMP);
    }
    ck_assert_int_eq(n, records);
    ck_assert_int_eq(it.err, err);
    ck_assert_int_le(stops, records);
    if (b->magic == 2)
        ck_assert_int_eq(stops, records);  /* v2 records carry timestamps */
    sm_rec_iter_fini(&it);
}

static void
rt_walk_entry(const sm_batch_t *b, rt_walk_t *w)
{
    int nrec = w->records;
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_record_header_t h[2];
    sm_err_t err = sm_batch_validate(b);

    if (err != SM_OK && w->err == SM_OK)
        w->err = err;
    (void)sm_rec_iter_init(&it, b, 1 << 20);
    while (sm_rec_iter_next(&it, &rec)) {
        w->records++;
        if (sm_record_headers(&rec, h, 2) < 0 && w->err == SM_OK)
            w->err = SM_ERR__BAD_MSG;
    }
    if (it.err != SM_OK && w->err == SM_OK)
        w->err = it.err;
    rt_scan_agrees(b, w->records - nrec, it.err);
    sm_rec_iter_fini(&it);
}

void
rt_walk(const uint8_t *blob, size_t len, rt_walk_t *w)
{
    sm_batch_iter_t bi;
    sm_batch_t b;

    memset(w, 0, sizeof(*w));
    sm_batch_iter_init(&bi, blob, len);
    while (sm_batch_next(&bi, &b)) {
        w->entries++;
        rt_walk_entry(&b, w);
    }
    w->partial = bi.partial;
    if (bi.err != SM_OK && w->err == SM_OK)
        w->err = bi.err;
}

/* Positions to cut a buffer of len bytes at: all of them when small. */
static size_t
rt_next_cut(size_t cut, size_t len)
{
    if (len <= 4096 || cut < 1024 || cut + 1024 >= len)
        return cut + 1;
    return cut + 61 < len - 1024 ? cut + 61 : len - 1024;
}

/* Fix the checksum of an entry whose size was patched. */
static void
rt_fix_crc(uint8_t *p, size_t size)
{
    if (p[SM_MAGIC_OFFSET] == 2)
        sm_batch_v2_update_crc(p, size);
    else
        sm_store_be32(p + 12, sm_crc32(0, p + 16, size - 16));
}

/* Shorten one entry to cut bytes in place of the original and walk it. */
static void
rt_inner_cut(const sm_batch_t *b, size_t cut)
{
    uint8_t *p = malloc(cut);
    rt_walk_t w;

    ck_assert_ptr_nonnull(p);
    memcpy(p, b->ptr, cut);
    sm_store_be32(p + SM_BATCH_OFF_LENGTH, (uint32_t)(cut - 12));
    if (b->magic < 2 && b->codec != SM_CODEC_NONE) {
        size_t vlen_at = b->magic == 1 ? 30 : 22;   /* after a null key */
        sm_store_be32(p + vlen_at, (uint32_t)(cut - vlen_at - 4));
    }
    rt_fix_crc(p, cut);
    rt_walk(p, cut, &w);
    ck_assert_msg(w.err != SM_OK || w.partial,
                  "entry cut to %zu of %zu bytes parsed cleanly", cut,
                  b->size);
    free(p);
}

static void
rt_inner_truncate(const sm_batch_t *b)
{
    size_t min = b->magic == 2 ? SM_BATCH_V2_HDR_SIZE
               : b->magic == 1 ? SM_MSG_V1_HDR_SIZE : SM_MSG_V0_HDR_SIZE;

    if (b->magic == 2 && b->count == 0)
        return;                 /* nothing inside to cut */
    for (size_t cut = min; cut < b->size; cut = rt_next_cut(cut, b->size))
        rt_inner_cut(b, cut);
}

void
rt_truncate_all(const uint8_t *blob, size_t len)
{
    rt_walk_t full, w;
    sm_batch_iter_t bi;
    sm_batch_t b;

    rt_walk(blob, len, &full);
    ck_assert_int_eq(full.err, SM_OK);
    ck_assert_int_eq(full.partial, 0);
    for (size_t cut = 0; cut < len; cut = rt_next_cut(cut, len)) {
        uint8_t *p = malloc(cut ? cut : 1);
        ck_assert_ptr_nonnull(p);
        memcpy(p, blob, cut);
        rt_walk(p, cut, &w);
        ck_assert_msg(w.err != SM_OK || w.partial ||
                      w.records < full.records,
                      "cut at %zu of %zu parsed as complete", cut, len);
        free(p);
    }
    sm_batch_iter_init(&bi, blob, len);
    while (sm_batch_next(&bi, &b))
        rt_inner_truncate(&b);
}
