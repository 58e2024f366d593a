/*
 * test_golden.c: request frames captured from real clients (the .bin files
 * in t/data, listed with their commands in t/data/README.md, redone by
 * t/capture/capture.py).
 *
 * For each capture:
 *   - the request header parses (sm_req_hdr_read) with the ApiKey, version
 *     and ClientId the client really sent;
 *   - the body walks field by field in the layout of Kafka's JSON spec for
 *     that version and ends exactly at the end of the frame, so a walker
 *     that is off by one field fails here;
 *   - for Produce, every records blob iterates with sm_batch_iter and each
 *     entry has the expected magic and codec and passes sm_batch_validate.
 * Robustness: every prefix of every frame must fail to walk (the walk reads
 * a fixed sequence of fields, so a shorter input always runs out), every
 * prefix of every records blob must stop cleanly (partial entry or an entry
 * boundary, never an error or a crash), and flipping any byte covered by an
 * entry's checksum must be caught.  The sanitizer build turns any overread
 * or leak in these paths into a failure.
 *
 * The walkers here are test code, written from the JSON specs, not samsa's
 * request parsers: they check the captures (and sm_rd_t / the batch
 * iterator) before the protocol/<family>.c parsers exist, and can later be
 * compared with them.
 *
 * To add a capture: add it to capture.py, rerun it, and add a row to
 * golden_files[]; golden__all_files_listed fails until the row exists.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/apis.h"
#include "protocol/codec.h"
#include "protocol/records.h"
#include "rec_util.h"
#include "sm_test.h"

#define TOPIC "golden"
#define GOLDEN_MAX_BLOBS 4

/* Metadata topic lists */
#define MD_ALL   0        /* all topics: v0 empty array, v1+ null array */
#define MD_TOPIC 1        /* [TOPIC] */
#define MD_NONE  2        /* v1+ empty array: brokers only */

/* ListOffsets Timestamp values */
#define TS_EARLIEST (-2LL)
#define TS_KCAT_QUERY 1600000000000LL      /* kcat -Q -t golden:0:<ts> */

/* A record as the client was told to send it; NULL = null. */
typedef struct golden_rec {
    const char *key;
    const char *value;
    int         nhdrs;           /* magic 2 only: legacy has no headers */
    const char *hkey[2];
    const char *hval[2];
} golden_rec_t;

#define LONG_VALUE \
    "samsa samsa samsa samsa samsa samsa samsa samsa samsa samsa " \
    "samsa samsa samsa samsa samsa samsa samsa samsa samsa samsa " \
    "samsa samsa samsa samsa samsa samsa samsa samsa samsa samsa " \
    "samsa samsa samsa samsa samsa samsa samsa samsa samsa samsa "

/* kcat -K: -H h1=v1 -H h2=v2, stdin KCAT_LINES of capture.py */
static const golden_rec_t kcat_recs[] = {
    { "key1", "hello", 2, { "h1", "h2" }, { "v1", "v2" } },
    { "key2", "world", 2, { "h1", "h2" }, { "v1", "v2" } },
    { "key3", LONG_VALUE, 2, { "h1", "h2" }, { "v1", "v2" } },
};

/* KP_PRODUCE of capture.py */
static const golden_rec_t kp_recs[] = {
    { "key1", "hello", 2, { "h1", "h2" }, { "v1", "v2" } },
    { "key2", "world", 0, { NULL }, { NULL } },
    { NULL, LONG_VALUE, 0, { NULL }, { NULL } },
    { "key4", NULL, 0, { NULL }, { NULL } },
};

/* CK_PRODUCE of capture.py */
static const golden_rec_t ck_recs[] = {
    { "key1", "hello", 2, { "h1", "h2" }, { "v1", NULL } },
    { "key2", "world", 0, { NULL }, { NULL } },
    { NULL, LONG_VALUE, 0, { NULL }, { NULL } },
    { "key4", NULL, 0, { NULL }, { NULL } },
};

#define NRECS(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef struct golden {
    const char *file;
    int16_t     key;
    int16_t     version;
    const char *client_id;
    /* Produce: expected records blob contents */
    int8_t      magic;
    sm_codec_t  codec;
    int         entries;      /* outer entries (legacy: one per message,
                                 or one compressed wrapper) */
    int         records;      /* records (v2: RecordsCount); -1 unknown */
    const golden_rec_t *recs; /* what the client sent */
    int         nrecs;
    /* Metadata: MD_*; ListOffsets: the Timestamp asked */
    int64_t     arg;
} golden_t;

#define KP_PRODUCER "kafka-python-producer-1"
#define KP_CONSUMER "kafka-python-2.0.2"
#define RDK         "rdkafka"

#define REQ(f, k, v, c, a) { f, k, v, c, 0, SM_CODEC_NONE, 0, 0, NULL, 0, a }
#define PRODUCE(f, v, c, m, codec, ent, recs) \
    { f, SM_API_Produce, v, c, m, codec, ent, \
      (m) == 2 || (codec) == SM_CODEC_NONE ? NRECS(recs) : -1, \
      recs, NRECS(recs), 0 }
#define KCAT(f, v, m, codec, ent) PRODUCE(f, v, RDK, m, codec, ent, kcat_recs)
#define KP(f, v, m, codec, ent) \
    PRODUCE(f, v, KP_PRODUCER, m, codec, ent, kp_recs)

static const golden_t golden_files[] = {
    REQ("ApiVersions_v3_kcat.bin", SM_API_ApiVersions, 3, RDK, 0),
    REQ("ApiVersions_v3_confluent.bin", SM_API_ApiVersions, 3, RDK, 0),
    REQ("ApiVersions_v0_kafkapython.bin", SM_API_ApiVersions, 0,
        KP_PRODUCER, 0),

    REQ("Metadata_v4_kcat.bin", SM_API_Metadata, 4, RDK, MD_TOPIC),
    REQ("Metadata_v4_kcat_all.bin", SM_API_Metadata, 4, RDK, MD_ALL),
    REQ("Metadata_v4_kcat_brokers.bin", SM_API_Metadata, 4, RDK, MD_NONE),
    REQ("Metadata_v0_kcat_082.bin", SM_API_Metadata, 0, RDK, MD_TOPIC),
    REQ("Metadata_v0_kafkapython_probe.bin", SM_API_Metadata, 0,
        KP_PRODUCER, MD_ALL),
    REQ("Metadata_v1_kafkapython_all.bin", SM_API_Metadata, 1, KP_PRODUCER,
        MD_ALL),
    REQ("Metadata_v0_kafkapython_082.bin", SM_API_Metadata, 0,
        KP_PRODUCER, MD_TOPIC),
    REQ("Metadata_v1_kafkapython_0100.bin", SM_API_Metadata, 1,
        KP_PRODUCER, MD_TOPIC),

    REQ("Fetch_v11_kcat.bin", SM_API_Fetch, 11, RDK, 0),
    REQ("Fetch_v4_kafkapython.bin", SM_API_Fetch, 4, KP_CONSUMER, 0),
    REQ("Fetch_v2_kafkapython.bin", SM_API_Fetch, 2, KP_CONSUMER, 0),
    REQ("Fetch_v0_kafkapython.bin", SM_API_Fetch, 0, KP_CONSUMER, 0),

    REQ("ListOffsets_v2_kcat.bin", SM_API_ListOffsets, 2, RDK, TS_EARLIEST),
    REQ("ListOffsets_v2_kcat_time.bin", SM_API_ListOffsets, 2, RDK,
        TS_KCAT_QUERY),
    REQ("ListOffsets_v1_kafkapython.bin", SM_API_ListOffsets, 1,
        KP_CONSUMER, TS_EARLIEST),
    REQ("ListOffsets_v0_kafkapython_082.bin", SM_API_ListOffsets, 0,
        KP_CONSUMER, TS_EARLIEST),
    REQ("ListOffsets_v0_kafkapython_0100.bin", SM_API_ListOffsets, 0,
        KP_CONSUMER, TS_EARLIEST),

    /* librdkafka (kcat): one v2 batch, or for magic 0/1 one message per
     * record or one compressed wrapper; headers only in magic 2 */
    KCAT("Produce_v7_kcat_none.bin", 7, 2, SM_CODEC_NONE, 1),
    KCAT("Produce_v7_kcat_gzip.bin", 7, 2, SM_CODEC_GZIP, 1),
    KCAT("Produce_v7_kcat_snappy.bin", 7, 2, SM_CODEC_SNAPPY, 1),
    KCAT("Produce_v7_kcat_lz4.bin", 7, 2, SM_CODEC_LZ4, 1),
    KCAT("Produce_v7_kcat_zstd.bin", 7, 2, SM_CODEC_ZSTD, 1),
    KCAT("Produce_v2_kcat_none.bin", 2, 1, SM_CODEC_NONE, 3),
    KCAT("Produce_v2_kcat_gzip.bin", 2, 1, SM_CODEC_GZIP, 1),
    KCAT("Produce_v2_kcat_snappy.bin", 2, 1, SM_CODEC_SNAPPY, 1),
    KCAT("Produce_v2_kcat_lz4.bin", 2, 1, SM_CODEC_LZ4, 1),
    KCAT("Produce_v0_kcat_none.bin", 0, 0, SM_CODEC_NONE, 3),
    KCAT("Produce_v0_kcat_gzip.bin", 0, 0, SM_CODEC_GZIP, 1),
    KCAT("Produce_v0_kcat_snappy.bin", 0, 0, SM_CODEC_SNAPPY, 1),
    KCAT("Produce_v0_kcat_lz4.bin", 0, 0, SM_CODEC_LZ4, 1),
    PRODUCE("Produce_v7_confluent_none.bin", 7, RDK, 2, SM_CODEC_NONE, 1,
            ck_recs),

    /* kafka-python */
    KP("Produce_v7_kafkapython_none.bin", 7, 2, SM_CODEC_NONE, 1),
    KP("Produce_v7_kafkapython_gzip.bin", 7, 2, SM_CODEC_GZIP, 1),
    KP("Produce_v7_kafkapython_snappy.bin", 7, 2, SM_CODEC_SNAPPY, 1),
    KP("Produce_v7_kafkapython_lz4.bin", 7, 2, SM_CODEC_LZ4, 1),
    KP("Produce_v7_kafkapython_zstd.bin", 7, 2, SM_CODEC_ZSTD, 1),
    KP("Produce_v2_kafkapython_none.bin", 2, 1, SM_CODEC_NONE, 4),
    KP("Produce_v2_kafkapython_gzip.bin", 2, 1, SM_CODEC_GZIP, 1),
    KP("Produce_v2_kafkapython_snappy.bin", 2, 1, SM_CODEC_SNAPPY, 1),
    KP("Produce_v2_kafkapython_lz4.bin", 2, 1, SM_CODEC_LZ4, 1),
    KP("Produce_v0_kafkapython_none.bin", 0, 0, SM_CODEC_NONE, 4),
    KP("Produce_v0_kafkapython_gzip.bin", 0, 0, SM_CODEC_GZIP, 1),
    KP("Produce_v0_kafkapython_snappy.bin", 0, 0, SM_CODEC_SNAPPY, 1),
    KP("Produce_v0_kafkapython_lz4.bin", 0, 0, SM_CODEC_LZ4, 1),
};

#define GOLDEN_N ((int)(sizeof(golden_files) / sizeof(golden_files[0])))

/* What a body walk found, for the assertions on complete frames. */
typedef struct golden_walk {
    sm_str_t   topic;                      /* first topic named, or null */
    int        ntopics;                    /* -1: null array */
    int64_t    timestamp;                  /* ListOffsets: first Timestamp */
    int        nblobs;                     /* Produce: records blobs */
    sm_bytes_t blobs[GOLDEN_MAX_BLOBS];
} golden_walk_t;

/* ------------------------------------------------------------ walkers */

static void
walk_api_versions(sm_rd_t *rd, int16_t v, golden_walk_t *w)
{
    if (v >= 3) {
        sm_rd_str(rd, 1);                  /* ClientSoftwareName */
        sm_rd_str(rd, 1);                  /* ClientSoftwareVersion */
        sm_rd_tags(rd);
    }
}

static void
walk_metadata(sm_rd_t *rd, int16_t v, golden_walk_t *w)
{
    int32_t n = sm_rd_array(rd, 0, 2);

    w->ntopics = n;
    for (int32_t i = 0; i < n; i++) {
        sm_str_t name = sm_rd_str(rd, 0);
        if (i == 0)
            w->topic = name;
    }
    if (v >= 4)
        sm_rd_bool(rd);                    /* AllowAutoTopicCreation */
    if (v >= 8) {
        sm_rd_bool(rd);                    /* IncludeCluster...Operations */
        sm_rd_bool(rd);                    /* IncludeTopic...Operations */
    }
}

static void
walk_fetch_partition(sm_rd_t *rd, int16_t v)
{
    sm_rd_i32(rd);                         /* Partition */
    if (v >= 9)
        sm_rd_i32(rd);                     /* CurrentLeaderEpoch */
    sm_rd_i64(rd);                         /* FetchOffset */
    if (v >= 5)
        sm_rd_i64(rd);                     /* LogStartOffset */
    sm_rd_i32(rd);                         /* PartitionMaxBytes */
}

static void
walk_fetch(sm_rd_t *rd, int16_t v, golden_walk_t *w)
{
    int32_t nt, np;

    sm_rd_i32(rd);                         /* ReplicaId */
    sm_rd_i32(rd);                         /* MaxWaitMs */
    sm_rd_i32(rd);                         /* MinBytes */
    if (v >= 3)
        sm_rd_i32(rd);                     /* MaxBytes */
    if (v >= 4)
        sm_rd_i8(rd);                      /* IsolationLevel */
    if (v >= 7) {
        sm_rd_i32(rd);                     /* SessionId */
        sm_rd_i32(rd);                     /* SessionEpoch */
    }
    nt = w->ntopics = sm_rd_array(rd, 0, 6);
    for (int32_t i = 0; i < nt; i++) {
        sm_str_t name = sm_rd_str(rd, 0);
        if (i == 0)
            w->topic = name;
        np = sm_rd_array(rd, 0, 16);
        for (int32_t j = 0; j < np; j++)
            walk_fetch_partition(rd, v);
    }
    if (v >= 7) {                          /* ForgottenTopicsData */
        nt = sm_rd_array(rd, 0, 6);
        for (int32_t i = 0; i < nt; i++) {
            sm_rd_str(rd, 0);
            np = sm_rd_array(rd, 0, 4);
            for (int32_t j = 0; j < np; j++)
                sm_rd_i32(rd);
        }
    }
    if (v >= 11)
        sm_rd_str(rd, 0);                  /* RackId */
}

static void
walk_list_offsets(sm_rd_t *rd, int16_t v, golden_walk_t *w)
{
    int32_t nt, np;

    sm_rd_i32(rd);                         /* ReplicaId */
    if (v >= 2)
        sm_rd_i8(rd);                      /* IsolationLevel */
    nt = w->ntopics = sm_rd_array(rd, 0, 6);
    for (int32_t i = 0; i < nt; i++) {
        sm_str_t name = sm_rd_str(rd, 0);
        if (i == 0)
            w->topic = name;
        np = sm_rd_array(rd, 0, 12);
        for (int32_t j = 0; j < np; j++) {
            int64_t ts;

            sm_rd_i32(rd);                 /* PartitionIndex */
            if (v >= 4)
                sm_rd_i32(rd);             /* CurrentLeaderEpoch */
            ts = sm_rd_i64(rd);            /* Timestamp */
            if (i == 0 && j == 0)
                w->timestamp = ts;
            if (v == 0)
                sm_rd_i32(rd);             /* MaxNumOffsets */
        }
    }
}

static void
walk_produce(sm_rd_t *rd, int16_t v, golden_walk_t *w)
{
    int32_t nt, np;

    if (v >= 3)
        sm_rd_nstr(rd, 0);                 /* TransactionalId */
    sm_rd_i16(rd);                         /* Acks */
    sm_rd_i32(rd);                         /* TimeoutMs */
    nt = w->ntopics = sm_rd_array(rd, 0, 6);
    for (int32_t i = 0; i < nt; i++) {
        sm_str_t name = sm_rd_str(rd, 0);
        if (i == 0)
            w->topic = name;
        np = sm_rd_array(rd, 0, 8);
        for (int32_t j = 0; j < np; j++) {
            sm_bytes_t recs;

            sm_rd_i32(rd);                 /* Index */
            recs = sm_rd_nbytes(rd, 0);    /* Records */
            if (sm_rd_ok(rd) && w->nblobs < GOLDEN_MAX_BLOBS)
                w->blobs[w->nblobs++] = recs;
        }
    }
}

/*
 * Parse header and body of one frame.  Returns the first error; *hdr and
 * *w are filled as far as the walk got.
 */
static sm_err_t
golden_walk(const uint8_t *p, size_t len, sm_req_hdr_t *hdr,
            golden_walk_t *w, size_t *leftp)
{
    sm_rd_t rd;

    memset(w, 0, sizeof(*w));
    w->topic = SM_STR_NULL;
    sm_rd_init(&rd, p, len);
    if (sm_req_hdr_read(&rd, hdr) != SM_OK)
        return rd.err;
    switch (hdr->ApiKey) {
    case SM_API_ApiVersions: walk_api_versions(&rd, hdr->ApiVersion, w); break;
    case SM_API_Metadata:    walk_metadata(&rd, hdr->ApiVersion, w); break;
    case SM_API_Fetch:       walk_fetch(&rd, hdr->ApiVersion, w); break;
    case SM_API_ListOffsets: walk_list_offsets(&rd, hdr->ApiVersion, w); break;
    case SM_API_Produce:     walk_produce(&rd, hdr->ApiVersion, w); break;
    default:
        sm_rd_fail(&rd, SM_ERR__BAD_MSG);
    }
    if (leftp)
        *leftp = sm_rd_remaining(&rd);
    return rd.err;
}

/* ------------------------------------------------------------ records */

/* Iterate one records blob; checks every entry against g.  Returns the
 * number of entries and adds their record counts to *records. */
static int
golden_check_blob(const golden_t *g, sm_bytes_t blob, int *records)
{
    sm_batch_iter_t it;
    sm_batch_t b;
    int n = 0;

    sm_batch_iter_init(&it, blob.ptr, (size_t)blob.len);
    while (sm_batch_next(&it, &b)) {
        ck_assert_msg(b.magic == g->magic, "%s: entry %d magic %d",
                      g->file, n, b.magic);
        ck_assert_msg(b.codec == g->codec, "%s: entry %d codec %d",
                      g->file, n, b.codec);
        ck_assert_msg(sm_batch_validate(&b) == SM_OK, "%s: entry %d: %s",
                      g->file, n, sm_err_name(sm_batch_validate(&b)));
        if (b.magic == 2) {
            ck_assert_int_eq(b.base_offset, 0);
            ck_assert_int_eq(b.last_offset, b.count - 1);
            ck_assert_int_eq(b.producer_id, SM_NO_PRODUCER_ID);
            ck_assert_int_le(b.base_timestamp, b.max_timestamp);
        }
        *records += b.count;
        n++;
    }
    ck_assert_msg(it.err == SM_OK && !it.partial, "%s: err %s partial %d",
                  g->file, sm_err_name(it.err), it.partial);
    return n;
}

static uint8_t *
golden_load(const golden_t *g, size_t *lenp)
{
    return sm_test_slurp(sm_test_data(g->file), lenp);
}

/* ------------------------------------------------------------ tests */

START_TEST(golden__header_and_body)
{
    const golden_t *g = &golden_files[_i];
    sm_req_hdr_t hdr;
    golden_walk_t w;
    size_t len, left = 99;
    uint8_t *p = golden_load(g, &len);
    sm_err_t err = golden_walk(p, len, &hdr, &w, &left);

    ck_assert_msg(err == SM_OK, "%s: %s", g->file, sm_err_name(err));
    ck_assert_int_eq(hdr.ApiKey, g->key);
    ck_assert_int_eq(hdr.ApiVersion, g->version);
    ck_assert_int_eq(hdr.hdr_version, g->key == SM_API_ApiVersions &&
                                      g->version >= 3 ? 2 : 1);
    ck_assert_msg(sm_str_eq_cstr(hdr.ClientId, g->client_id),
                  "%s: client id '%.*s'", g->file, SM_STR_ARG(hdr.ClientId));
    ck_assert_msg(left == 0, "%s: %zu bytes after the body", g->file, left);

    switch (g->key) {
    case SM_API_Metadata:
        if (g->arg == MD_TOPIC) {
            ck_assert_int_eq(w.ntopics, 1);
            ck_assert(sm_str_eq_cstr(w.topic, TOPIC));
        } else if (g->arg == MD_ALL) {
            ck_assert_int_eq(w.ntopics, g->version == 0 ? 0 : -1);
        } else {
            ck_assert_int_gt(g->version, 0);
            ck_assert_int_eq(w.ntopics, 0);
        }
        break;
    case SM_API_ListOffsets:
        ck_assert_int_eq(w.timestamp, g->arg);
        /* fallthrough */
    case SM_API_Fetch:
    case SM_API_Produce:
        ck_assert_int_eq(w.ntopics, 1);
        ck_assert(sm_str_eq_cstr(w.topic, TOPIC));
        break;
    }
    free(p);
}
END_TEST

START_TEST(golden__produce_records)
{
    const golden_t *g = &golden_files[_i];
    sm_req_hdr_t hdr;
    golden_walk_t w;
    size_t len;
    uint8_t *p;
    int entries = 0, records = 0;

    if (g->key != SM_API_Produce)
        return;
    p = golden_load(g, &len);
    ck_assert_int_eq(golden_walk(p, len, &hdr, &w, NULL), SM_OK);
    ck_assert_int_eq(w.nblobs, 1);
    for (int i = 0; i < w.nblobs; i++)
        entries += golden_check_blob(g, w.blobs[i], &records);
    ck_assert_msg(entries == g->entries, "%s: %d entries", g->file, entries);
    if (g->records >= 0)
        ck_assert_msg(records == g->records, "%s: %d records", g->file,
                      records);
    free(p);
}
END_TEST

/* A slice equals a C string (NULL: the slice is null). */
static int
golden_bytes_is(sm_bytes_t b, const char *want)
{
    if (want == NULL)
        return b.len == -1;
    return b.len >= 0 && (size_t)b.len == strlen(want) &&
           memcmp(b.ptr, want, (size_t)b.len) == 0;
}

static void
golden_check_record(const golden_t *g, const sm_batch_t *b,
                    const sm_record_t *rec, int i)
{
    const golden_rec_t *w = &g->recs[i];
    sm_record_header_t h[2];
    int nh = b->magic == 2 ? w->nhdrs : 0;

    ck_assert_msg(golden_bytes_is(rec->key, w->key), "%s: key of record %d",
                  g->file, i);
    ck_assert_msg(golden_bytes_is(rec->value, w->value),
                  "%s: value of record %d", g->file, i);
    ck_assert_int_eq(rec->magic, g->magic);
    ck_assert_int_eq(rec->offset, i);
    if (g->magic == 0)
        ck_assert_int_eq(rec->timestamp, SM_NO_TIMESTAMP);
    else
        ck_assert_int_gt(rec->timestamp, 1000000000000LL);  /* ms, >2001 */
    if (b->magic == 2) {
        ck_assert_int_ge(rec->timestamp, b->base_timestamp);
        ck_assert_int_le(rec->timestamp, b->max_timestamp);
    }
    ck_assert_int_eq(rec->header_count, nh);
    ck_assert_int_eq(sm_record_headers(rec, h, 2), nh);
    for (int k = 0; k < nh; k++) {
        ck_assert(sm_str_eq_cstr(h[k].key, w->hkey[k]));
        ck_assert_msg(golden_bytes_is(h[k].value, w->hval[k]),
                      "%s: header %d of record %d", g->file, k, i);
    }
}

/* Records of every Produce capture: what the client was told to send. */
START_TEST(golden__produce_record_contents)
{
    const golden_t *g = &golden_files[_i];
    sm_req_hdr_t hdr;
    golden_walk_t w;
    sm_batch_iter_t bi;
    sm_batch_t b;
    size_t len;
    uint8_t *p;
    int n = 0;

    if (g->key != SM_API_Produce)
        return;
    p = golden_load(g, &len);
    ck_assert_int_eq(golden_walk(p, len, &hdr, &w, NULL), SM_OK);
    sm_batch_iter_init(&bi, w.blobs[0].ptr, (size_t)w.blobs[0].len);
    while (sm_batch_next(&bi, &b)) {
        sm_rec_iter_t it;
        sm_record_t rec;

        ck_assert_int_eq(sm_rec_iter_init(&it, &b, RT_MAX_DECOMP), SM_OK);
        while (sm_rec_iter_next(&it, &rec)) {
            ck_assert_int_lt(n, g->nrecs);
            golden_check_record(g, &b, &rec, n++);
        }
        ck_assert_msg(it.err == SM_OK, "%s: %s", g->file,
                      sm_err_name(it.err));
        sm_rec_iter_fini(&it);
    }
    ck_assert_int_eq(n, g->nrecs);
    free(p);
}
END_TEST

/* The records-level torture of rec_util.c on every Produce blob: every
 * prefix, and every entry shortened inside with its checksum fixed, must
 * fail or come out partial or short, through decompression included. */
START_TEST(golden__produce_records_torture)
{
    const golden_t *g = &golden_files[_i];
    sm_req_hdr_t hdr;
    golden_walk_t w;
    size_t len;
    uint8_t *p;

    if (g->key != SM_API_Produce)
        return;
    p = golden_load(g, &len);
    ck_assert_int_eq(golden_walk(p, len, &hdr, &w, NULL), SM_OK);
    rt_truncate_all(w.blobs[0].ptr, (size_t)w.blobs[0].len);
    free(p);
}
END_TEST

/* Every strict prefix of a frame must fail to walk, and must not read past
 * its end (the copy is exactly the prefix, so ASan sees an overread). */
START_TEST(golden__truncated_frames_fail)
{
    const golden_t *g = &golden_files[_i];
    sm_req_hdr_t hdr;
    golden_walk_t w;
    size_t len;
    uint8_t *p = golden_load(g, &len);

    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *q = malloc(cut ? cut : 1);
        sm_err_t err;

        ck_assert_ptr_nonnull(q);
        memcpy(q, p, cut);
        err = golden_walk(q, cut, &hdr, &w, NULL);
        ck_assert_msg(err != SM_OK, "%s: prefix of %zu/%zu bytes walked",
                      g->file, cut, len);
        free(q);
    }
    free(p);
}
END_TEST

/* Every prefix of a records blob stops at an entry boundary or as a
 * partial entry: never an error, never an entry that fails its CRC. */
START_TEST(golden__truncated_records_partial)
{
    const golden_t *g = &golden_files[_i];
    sm_req_hdr_t hdr;
    golden_walk_t w;
    size_t len, blen;
    uint8_t *p;

    if (g->key != SM_API_Produce)
        return;
    p = golden_load(g, &len);
    ck_assert_int_eq(golden_walk(p, len, &hdr, &w, NULL), SM_OK);
    blen = (size_t)w.blobs[0].len;
    for (size_t cut = 0; cut < blen; cut++) {
        uint8_t *q = malloc(cut ? cut : 1);
        const uint8_t *boundary = NULL;
        sm_batch_iter_t it;
        sm_batch_t b;

        ck_assert_ptr_nonnull(q);
        memcpy(q, w.blobs[0].ptr, cut);
        sm_batch_iter_init(&it, q, cut);
        boundary = q;
        while (sm_batch_next(&it, &b)) {
            ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
            boundary = b.ptr + b.size;
        }
        ck_assert_int_eq(it.err, SM_OK);
        ck_assert_msg(it.partial == (boundary != q + cut),
                      "%s: cut %zu partial %d", g->file, cut, it.partial);
        free(q);
    }
    free(p);
}
END_TEST

/* Flip each byte of each entry that its checksum covers (v2: from the CRC
 * field on; legacy: from the CRC field on, except the magic byte, whose
 * flip makes the entry unparseable instead). */
START_TEST(golden__corruption_detected)
{
    const golden_t *g = &golden_files[_i];
    sm_req_hdr_t hdr;
    golden_walk_t w;
    size_t len;
    uint8_t *p;

    if (g->key != SM_API_Produce)
        return;
    p = golden_load(g, &len);
    ck_assert_int_eq(golden_walk(p, len, &hdr, &w, NULL), SM_OK);
    for (size_t off = 0; off < (size_t)w.blobs[0].len; off++) {
        uint8_t *q = (uint8_t *)w.blobs[0].ptr;   /* p is ours to modify */
        size_t rel = off, first = 0;
        sm_batch_iter_t it;
        sm_batch_t b;
        int flipped_seen = 0;

        /* offset of the entry holding off, and off within it */
        sm_batch_iter_init(&it, q, (size_t)w.blobs[0].len);
        while (sm_batch_next(&it, &b) && (size_t)(b.ptr - q) + b.size <= off)
            ;
        first = (size_t)(b.ptr - q);
        rel = off - first;
        if (rel < (b.magic == 2 ? SM_BATCH_OFF_CRC : 12u) ||
            rel == SM_MAGIC_OFFSET)
            continue;

        q[off] ^= 0xff;
        sm_batch_iter_init(&it, q, (size_t)w.blobs[0].len);
        while (sm_batch_next(&it, &b)) {
            if ((size_t)(b.ptr - q) == first) {
                ck_assert_msg(sm_batch_validate(&b) == SM_ERR__CRC,
                              "%s: flip at %zu not caught", g->file, off);
                flipped_seen = 1;
            }
        }
        ck_assert(flipped_seen);
        q[off] ^= 0xff;
    }
    free(p);
}
END_TEST

static int
golden_listed(const char *name)
{
    for (int i = 0; i < GOLDEN_N; i++)
        if (strcmp(golden_files[i].file, name) == 0)
            return 1;
    return 0;
}

/* Every capture in t/data has a row (and so is tested). */
START_TEST(golden__all_files_listed)
{
    char *dir = strdup(sm_test_data(""));
    DIR *d = opendir(dir);
    struct dirent *de;
    int nbin = 0;

    ck_assert_msg(d != NULL, "cannot open %s", dir);
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        if (n < 4 || strcmp(de->d_name + n - 4, ".bin") != 0)
            continue;
        ck_assert_msg(golden_listed(de->d_name), "%s has no row in "
                      "golden_files[]", de->d_name);
        nbin++;
    }
    closedir(d);
    ck_assert_int_eq(nbin, GOLDEN_N);
    free(dir);
}
END_TEST

Suite *
sm_test_suite_golden(void)
{
    Suite *s = suite_create("golden");
    TCase *tc = tcase_create("golden");

    tcase_add_loop_test(tc, golden__header_and_body, 0, GOLDEN_N);
    tcase_add_loop_test(tc, golden__produce_records, 0, GOLDEN_N);
    tcase_add_loop_test(tc, golden__produce_record_contents, 0, GOLDEN_N);
    tcase_add_loop_test(tc, golden__produce_records_torture, 0, GOLDEN_N);
    tcase_add_loop_test(tc, golden__truncated_frames_fail, 0, GOLDEN_N);
    tcase_add_loop_test(tc, golden__truncated_records_partial, 0, GOLDEN_N);
    tcase_add_loop_test(tc, golden__corruption_detected, 0, GOLDEN_N);
    tcase_add_test(tc, golden__all_files_listed);
    suite_add_tcase(s, tc);
    return s;
}
