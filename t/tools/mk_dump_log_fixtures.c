/*
 * mk_dump_log_fixtures: writes the segment files t/tools/test_dump_log.sh
 * runs samsa-dump-log on.  Usage: mk_dump_log_fixtures DIR
 *
 * Every entry is built with sm_batch_builder_* (protocol/records.h); index
 * files are written by hand.  The bytes are fixed (fixed timestamps, no
 * randomness), so the expected outputs under t/data/dump-log/ can quote
 * positions, sizes and CRCs, except for compressed entries, whose bytes
 * depend on the compression library's version: those live in their own
 * files (DIR/comp, DIR/legacy-comp) and the test masks size/crc/position
 * there.
 *
 * DIR/v2/00000000000000000000.log (uncompressed, magic 2)
 *   A  offsets 0-2, producer 1000 epoch 2 base sequence 5, leader epoch 3,
 *      CreateTime 1600000000000 + 0/10/5; record 0 has headers "h1", "h2",
 *      record 1 a null key, record 2 a null value
 *   B  offsets 3-4, transactional, LogAppendTime 1600000099999, leader
 *      epoch 3, keys with a multi-byte and an invalid UTF-8 sequence
 *   C  offset 5, control batch: COMMIT marker, coordinator epoch 7
 *   D  offsets 6 and 8 (a gap: "Non-consecutive offsets"), no producer
 *   .index: (2, A) (4, B) (5, C) (7 -> D's position: D ends at 8, so a
 *           mismatch) and two all-zero entries (preallocation)
 *   .timeindex: (1600000000010, 2) (1600000099999, 4) (1600000000031, 8:
 *           wrong, the batch's max is 1600000000030) then a zero entry
 *   .txnindex: two aborted transactions
 * DIR/legacy/00000000000000000100.log  magic 0 and magic 1 messages
 * DIR/comp/00000000000000000000.log    v2 gzip, snappy, lz4, zstd batches
 * DIR/legacy-comp/00000000000000000000.log  magic-1 gzip wrapper (with
 *      LogAppendTime) and magic-0 snappy wrapper
 * DIR/truncated/00000000000000000000.log  v2 log minus its last 7 bytes
 * DIR/badcrc/00000000000000000000.log     v2 log, batch A's CRC flipped
 * DIR/garbage-small/00000000000000000000.log  Size field below 14
 * DIR/garbage-big/00000000000000000000.log    Size field past the end
 * DIR/empty/00000000000000000000.log          zero bytes
 * DIR/offsets/00000000000000000000.log  __consumer_offsets records: offset
 *      commits with value versions 1 and 3 (one with metadata), a
 *      tombstone, a group metadata tombstone
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/sm_buf.h"
#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "protocol/records.h"

#define T0 1600000000000LL

static const char *outdir;

static sm_bytes_t
b(const char *s)
{
    sm_bytes_t r = SM_BYTES_NULL;

    if (s != NULL) {
        r.ptr = (const uint8_t *)s;
        r.len = (int32_t)strlen(s);
    }
    return r;
}

static void
die(const char *what)
{
    fprintf(stderr, "mk_dump_log_fixtures: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void
write_file(const char *sub, const char *name, const void *p, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", outdir, sub);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die(path);
    snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
    f = fopen(path, "wb");
    if (f == NULL || (len > 0 && fwrite(p, 1, len, f) != len) ||
        fclose(f) != 0)
        die(path);
}

static void
finish(sm_batch_builder_t *bb)
{
    if (sm_batch_builder_finish(bb) != SM_OK) {
        fprintf(stderr, "mk_dump_log_fixtures: builder failed\n");
        exit(1);
    }
}

/* Batches A-D of the v2 segment; *pos[i] = start of batch i. */
static void
build_v2(sm_buf_t *out, size_t pos[4])
{
    sm_batch_builder_t bb;
    sm_record_header_t h[2] = { { { "h1", 2 }, { (const uint8_t *)"x", 1 } },
                                { { "h2", 2 }, SM_BYTES_NULL } };
    static const char utf8_key[] = "k\xc3\xa9y";       /* k é y */
    static const char bad_key[] = "bad\xff\xed\xa0\x80!";
    static const uint8_t commit_key[] = { 0, 0, 0, 1 };
    static const uint8_t commit_val[] = { 0, 0, 0, 0, 0, 7 };

    pos[0] = out->len;
    sm_batch_builder_init(&bb, out, 2, SM_CODEC_NONE, 0);
    sm_batch_builder_set_producer(&bb, 1000, 2, 5, 0);
    bb.partition_leader_epoch = 3;
    sm_batch_builder_add(&bb, T0, b("key-0"), b("value-0"), h, 2);
    sm_batch_builder_add(&bb, T0 + 10, b(NULL), b("value-1"), NULL, 0);
    sm_batch_builder_add(&bb, T0 + 5, b("key-2"), b(NULL), NULL, 0);
    finish(&bb);

    pos[1] = out->len;
    sm_batch_builder_init(&bb, out, 2, SM_CODEC_NONE, 3);
    sm_batch_builder_set_producer(&bb, 1001, 0, 0, 1);
    bb.partition_leader_epoch = 3;
    sm_batch_builder_set_log_append_time(&bb, T0 + 99999);
    sm_batch_builder_add(&bb, T0 + 20, b(utf8_key), b("v3"), NULL, 0);
    sm_batch_builder_add(&bb, T0 + 21, b(bad_key), b(""), NULL, 0);
    finish(&bb);

    pos[2] = out->len;
    sm_batch_builder_init(&bb, out, 2, SM_CODEC_NONE, 5);
    sm_batch_builder_set_producer(&bb, 1001, 0, -1, 1);
    bb.attributes |= SM_ATTR_CONTROL;
    bb.partition_leader_epoch = 3;
    sm_batch_builder_add(&bb, T0 + 22,
                         (sm_bytes_t){ commit_key, sizeof(commit_key) },
                         (sm_bytes_t){ commit_val, sizeof(commit_val) },
                         NULL, 0);
    finish(&bb);

    pos[3] = out->len;
    sm_batch_builder_init(&bb, out, 2, SM_CODEC_NONE, 6);
    bb.partition_leader_epoch = 4;
    sm_batch_builder_add(&bb, T0 + 30, b("k6"), b("v6"), NULL, 0);
    sm_batch_builder_add_at(&bb, 8, T0 + 25, b("k8"), b("v8"), NULL, 0);
    finish(&bb);
}

static void
put_index_entry(sm_buf_t *ix, int32_t rel, int32_t position)
{
    uint8_t e[8];

    sm_store_be32(e, (uint32_t)rel);
    sm_store_be32(e + 4, (uint32_t)position);
    sm_buf_write(ix, e, sizeof(e));
}

static void
put_time_entry(sm_buf_t *tx, int64_t ts, int32_t rel)
{
    uint8_t e[12];

    sm_store_be64(e, (uint64_t)ts);
    sm_store_be32(e + 8, (uint32_t)rel);
    sm_buf_write(tx, e, sizeof(e));
}

static void
put_txn_entry(sm_buf_t *t, int64_t pid, int64_t first, int64_t last,
              int64_t lso)
{
    uint8_t e[34];

    sm_store_be16(e, 0);
    sm_store_be64(e + 2, (uint64_t)pid);
    sm_store_be64(e + 10, (uint64_t)first);
    sm_store_be64(e + 18, (uint64_t)last);
    sm_store_be64(e + 26, (uint64_t)lso);
    sm_buf_write(t, e, sizeof(e));
}

static void
write_v2_set(void)
{
    sm_buf_t log = SM_BUF_INIT, ix = SM_BUF_INIT, tx = SM_BUF_INIT;
    sm_buf_t txn = SM_BUF_INIT;
    size_t pos[4];
    const char *seg = "00000000000000000000";
    char name[64];

    build_v2(&log, pos);
    snprintf(name, sizeof(name), "%s.log", seg);
    write_file("v2", name, log.data, log.len);

    put_index_entry(&ix, 2, (int32_t)pos[0]);
    put_index_entry(&ix, 4, (int32_t)pos[1]);
    put_index_entry(&ix, 5, (int32_t)pos[2]);
    put_index_entry(&ix, 7, (int32_t)pos[3]);
    put_index_entry(&ix, 0, 0);
    put_index_entry(&ix, 0, 0);
    snprintf(name, sizeof(name), "%s.index", seg);
    write_file("v2", name, ix.data, ix.len);

    put_time_entry(&tx, T0 + 10, 2);
    put_time_entry(&tx, T0 + 99999, 4);
    put_time_entry(&tx, T0 + 31, 8);
    put_time_entry(&tx, 0, 0);
    snprintf(name, sizeof(name), "%s.timeindex", seg);
    write_file("v2", name, tx.data, tx.len);

    put_txn_entry(&txn, 1001, 3, 5, 3);
    put_txn_entry(&txn, 1002, 9, 12, 9);
    snprintf(name, sizeof(name), "%s.txnindex", seg);
    write_file("v2", name, txn.data, txn.len);

    /* the same log, cut short and with a broken CRC */
    snprintf(name, sizeof(name), "%s.log", seg);
    write_file("truncated", name, log.data, log.len - 7);
    log.data[pos[0] + SM_BATCH_OFF_CRC] ^= 0x01;
    write_file("badcrc", name, log.data, log.len);

    sm_buf_fini(&log);
    sm_buf_fini(&ix);
    sm_buf_fini(&tx);
    sm_buf_fini(&txn);
}

static void
write_legacy(void)
{
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_builder_t bb;

    sm_batch_builder_init(&bb, &out, 0, SM_CODEC_NONE, 100);
    sm_batch_builder_add(&bb, T0, b("m0"), b("zero"), NULL, 0);
    sm_batch_builder_add(&bb, T0, b(NULL), b("zero-null-key"), NULL, 0);
    finish(&bb);
    sm_batch_builder_init(&bb, &out, 1, SM_CODEC_NONE, 102);
    sm_batch_builder_add(&bb, T0 + 1, b("m1"), b("one"), NULL, 0);
    sm_batch_builder_add(&bb, T0 + 2, b("m1b"), b(NULL), NULL, 0);
    finish(&bb);
    write_file("legacy", "00000000000000000100.log", out.data, out.len);
    sm_buf_fini(&out);
}

static void
write_compressed(void)
{
    static const sm_codec_t codecs[] = { SM_CODEC_GZIP, SM_CODEC_SNAPPY,
                                         SM_CODEC_LZ4, SM_CODEC_ZSTD };
    sm_record_header_t h = { { "trace", 5 }, { (const uint8_t *)"1", 1 } };
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_builder_t bb;

    for (int i = 0; i < 4; i++) {
        sm_batch_builder_init(&bb, &out, 2, codecs[i], 10 * i);
        sm_batch_builder_add(&bb, T0 + i, b("ck"), b("compressed"), &h, 1);
        sm_batch_builder_add(&bb, T0 + i + 1, b(NULL), b("second"), NULL, 0);
        finish(&bb);
    }
    write_file("comp", "00000000000000000000.log", out.data, out.len);
    sm_buf_reset(&out);

    sm_batch_builder_init(&bb, &out, 1, SM_CODEC_GZIP, 0);
    sm_batch_builder_set_log_append_time(&bb, T0 + 500);
    sm_batch_builder_add(&bb, T0, b("a"), b("inner-a"), NULL, 0);
    sm_batch_builder_add(&bb, T0 + 1, b("b"), b("inner-b"), NULL, 0);
    finish(&bb);
    sm_batch_builder_init(&bb, &out, 0, SM_CODEC_SNAPPY, 2);
    sm_batch_builder_add(&bb, T0, b(NULL), b("v0-inner"), NULL, 0);
    finish(&bb);
    write_file("legacy-comp", "00000000000000000000.log", out.data, out.len);
    sm_buf_fini(&out);
}

static void
write_garbage(void)
{
    uint8_t g[40];

    memset(g, 0xab, sizeof(g));
    sm_store_be64(g, 0);
    sm_store_be32(g + 8, 9);                      /* below 14 */
    write_file("garbage-small", "00000000000000000000.log", g, sizeof(g));
    sm_store_be32(g + 8, 1000000);                /* past the end */
    write_file("garbage-big", "00000000000000000000.log", g, sizeof(g));
    write_file("empty", "00000000000000000000.log", NULL, 0);
}

/* int16 length + bytes */
static void
put_str(sm_buf_t *o, const char *s)
{
    uint8_t l[2];

    sm_store_be16(l, (uint16_t)strlen(s));
    sm_buf_write(o, l, 2);
    sm_buf_write(o, s, strlen(s));
}

static void
put_be(sm_buf_t *o, uint64_t v, int n)
{
    uint8_t x[8];

    for (int i = 0; i < n; i++)
        x[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    sm_buf_write(o, x, (size_t)n);
}

static sm_bytes_t
as_bytes(const sm_buf_t *o)
{
    return (sm_bytes_t){ o->data, (int32_t)o->len };
}

static void
write_offsets(void)
{
    sm_buf_t out = SM_BUF_INIT, k1 = SM_BUF_INIT, v1 = SM_BUF_INIT;
    sm_buf_t v3 = SM_BUF_INIT, gk = SM_BUF_INIT;
    sm_batch_builder_t bb;

    put_be(&k1, 1, 2);                   /* offset commit key v1 */
    put_str(&k1, "g1");
    put_str(&k1, "orders");
    put_be(&k1, 3, 4);
    put_be(&v1, 1, 2);                   /* value v1 */
    put_be(&v1, 42, 8);
    put_str(&v1, "meta");
    put_be(&v1, (uint64_t)T0, 8);
    put_be(&v1, (uint64_t)-1, 8);
    put_be(&v3, 3, 2);                   /* value v3 */
    put_be(&v3, 43, 8);
    put_be(&v3, 5, 4);
    put_str(&v3, "");
    put_be(&v3, (uint64_t)T0 + 1, 8);
    put_be(&gk, 2, 2);                   /* group metadata key */
    put_str(&gk, "g1");

    sm_batch_builder_init(&bb, &out, 2, SM_CODEC_NONE, 0);
    sm_batch_builder_add(&bb, T0, as_bytes(&k1), as_bytes(&v1), NULL, 0);
    sm_batch_builder_add(&bb, T0 + 1, as_bytes(&k1), as_bytes(&v3), NULL, 0);
    sm_batch_builder_add(&bb, T0 + 2, as_bytes(&k1), b(NULL), NULL, 0);
    sm_batch_builder_add(&bb, T0 + 3, as_bytes(&gk), b(NULL), NULL, 0);
    finish(&bb);
    write_file("offsets", "00000000000000000000.log", out.data, out.len);
    sm_buf_fini(&out);
    sm_buf_fini(&k1);
    sm_buf_fini(&v1);
    sm_buf_fini(&v3);
    sm_buf_fini(&gk);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mk_dump_log_fixtures DIR\n");
        return 2;
    }
    outdir = argv[1];
    (void)sm_crc32c_init();
    write_v2_set();
    write_legacy();
    write_compressed();
    write_garbage();
    write_offsets();
    return 0;
}
