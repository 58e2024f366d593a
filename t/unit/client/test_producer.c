/* test_producer.c: producer.c, producer_io.c and producer_conn.c -
 * configuration, the send path, batching limits, interceptors, retries,
 * acks=0 and compression, pipelining (max.in.flight), request timeouts,
 * dropped and refused connections, idle connections - against a
 * scripted broker (fake_broker.h) whose Produce handler decodes every
 * batch it receives. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/producer.h"
#include "common/sm_time.h"
#include "fake_broker.h"
#include "protocol/produce.h"
#include "sm_test.h"

#define PS_MAX 512

/* What the Produce handler saw, and what it should answer. */
typedef struct pstate {
    pthread_mutex_t lock;
    int      fail_left;             /* answer fail_code this many times */
    int16_t  fail_code;
    int      nreq;
    int64_t  next_off[8];
    int      nbatches;
    int      batch_cnt[PS_MAX];
    int      batch_codec[PS_MAX];
    int      batch_part[PS_MAX];
    int      nvals;
    char     vals[PS_MAX][40];
    int      vals_part[PS_MAX];
    char     hdr0[40];
    int64_t  ts0;
    int16_t  acks;
    /* pipelining scripts (producer__pipelined_*): */
    int      nprod;                 /* Produce requests seen */
    int      hold;                  /* hold every answer (FB_HOLD) */
    int      close_at;              /* close on this Produce (1-based),
                                     * holding the ones before it */
    int      silent_first;          /* no answer to the first Produce */
} pstate_t;

static void
ps_record(pstate_t *ps, int32_t part, const sm_record_t *rec)
{
    sm_record_header_t h[2];

    if (ps->nvals == 0) {
        ps->ts0 = rec->timestamp;
        if (sm_record_headers(rec, h, 2) >= 1)
            snprintf(ps->hdr0, sizeof(ps->hdr0), "%.*s=%.*s",
                     (int)h[0].key.len, h[0].key.ptr, (int)h[0].value.len,
                     (const char *)h[0].value.ptr);
    }
    if (ps->nvals < PS_MAX) {
        snprintf(ps->vals[ps->nvals], sizeof(ps->vals[0]), "%.*s",
                 (int)(rec->value.len < 0 ? 0 : rec->value.len),
                 (const char *)rec->value.ptr);
        ps->vals_part[ps->nvals++] = part;
    }
}

static void
ps_batches(pstate_t *ps, int32_t part, sm_bytes_t recs)
{
    sm_batch_iter_t it;
    sm_batch_t b;

    sm_batch_iter_init(&it, recs.ptr, (size_t)recs.len);
    while (sm_batch_next(&it, &b)) {
        sm_rec_iter_t ri;
        sm_record_t rec;
        ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
        if (ps->nbatches < PS_MAX) {
            ps->batch_cnt[ps->nbatches] = b.count;
            ps->batch_codec[ps->nbatches] = (int)b.codec;
            ps->batch_part[ps->nbatches++] = part;
        }
        ck_assert_int_eq(sm_rec_iter_init(&ri, &b, 1 << 20), SM_OK);
        while (sm_rec_iter_next(&ri, &rec))
            ps_record(ps, part, &rec);
        sm_rec_iter_fini(&ri);
    }
}

static int
produce_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
                sm_buf_t *out)
{
    pstate_t *ps = fb->arg;
    sm_ProduceRequest_t req;
    sm_ProduceResponse_t resp;
    sm_ProduceResponseTopic_t rt[4];
    sm_ProduceResponsePartition_t rp[4][8];
    int silent, hold;

    if (hdr->ApiKey != SM_API_Produce)
        return fb_default(fb, hdr, body, out);
    if (sm_ProduceRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    pthread_mutex_lock(&ps->lock);
    ps->nprod++;
    silent = ps->close_at > 0 && ps->nprod == ps->close_at;
    pthread_mutex_unlock(&ps->lock);
    if (silent) {                   /* drop the connection unanswered */
        sm_ProduceRequest_free(&req);
        return FB_CLOSE;
    }
    memset(&resp, 0, sizeof(resp));
    memset(rt, 0, sizeof(rt));
    memset(rp, 0, sizeof(rp));
    resp.Responses = rt;
    pthread_mutex_lock(&ps->lock);
    ps->nreq++;
    ps->acks = req.Acks;
    for (int32_t i = 0; i < req.TopicDataCnt && i < 4; i++) {
        const sm_ProduceRequestTopic_t *td = &req.TopicData[i];
        rt[i].Name = td->Name;
        rt[i].PartitionResponses = rp[i];
        for (int32_t k = 0; k < td->PartitionDataCnt && k < 8; k++) {
            const sm_ProduceRequestPartition_t *pd = &td->PartitionData[k];
            sm_ProduceResponsePartition_t *r = &rp[i][k];
            int before = ps->nvals;
            r->Index = pd->Index;
            r->LogAppendTimeMs = -1;
            r->LogStartOffset = 0;
            if (ps->fail_left > 0) {
                r->ErrorCode = ps->fail_code;
                r->BaseOffset = -1;
                continue;
            }
            ps_batches(ps, pd->Index, pd->Records);
            r->BaseOffset = ps->next_off[pd->Index & 7];
            ps->next_off[pd->Index & 7] += ps->nvals - before;
        }
        rt[i].PartitionResponsesCnt = td->PartitionDataCnt;
        resp.ResponsesCnt++;
    }
    if (ps->fail_left > 0)
        ps->fail_left--;
    silent = req.Acks == 0 || (ps->silent_first && ps->nprod == 1);
    hold = ps->hold || (ps->close_at > 0 && ps->nprod < ps->close_at);
    pthread_mutex_unlock(&ps->lock);
    sm_ProduceResponse_write(out, hdr->ApiVersion, &resp);
    sm_ProduceRequest_free(&req);
    return silent ? FB_SILENT : hold ? FB_HOLD : FB_ANSWER;
}

static const fb_topic_t topics3[] = {
    { "t", 0, 0, 3 },
    { "nope", SM_ERR_UNKNOWN_TOPIC_OR_PARTITION, 0, 0 },
};

/* Delivery reports, in the order they came. */
typedef struct drlog {
    pthread_mutex_t lock;
    int      n;
    int64_t  off[PS_MAX];
    int32_t  part[PS_MAX];
    int      err[PS_MAX];
    intptr_t opaque[PS_MAX];
} drlog_t;

static void
dr_cb(const samsa_delivery_t *dr, void *opaque)
{
    drlog_t *d = opaque;

    pthread_mutex_lock(&d->lock);
    if (d->n < PS_MAX) {
        d->off[d->n] = dr->offset;
        d->part[d->n] = dr->partition;
        d->err[d->n] = dr->err;
        d->opaque[d->n] = (intptr_t)dr->opaque;
        d->n++;
    }
    pthread_mutex_unlock(&d->lock);
}

static fb_t     fb;
static pstate_t ps;
static drlog_t  drl;

static void
setup(void)
{
    memset(&ps, 0, sizeof(ps));
    memset(&drl, 0, sizeof(drl));
    pthread_mutex_init(&ps.lock, NULL);
    pthread_mutex_init(&drl.lock, NULL);
    /* fb_start clears fb: the topics go in afterwards, before any
     * client connects */
    ck_assert_int_eq(fb_start(&fb, 0, produce_handler, &ps), 0);
    fb.topics = topics3;
    fb.ntopics = 2;
}

/* A producer on the fake broker with extra key=value pairs. */
static samsa_producer_t *
producer_for(samsa_conf_t *conf, const char *const *kv)
{
    samsa_producer_t *p;
    char errstr[256], servers[64];

    snprintf(servers, sizeof(servers), "127.0.0.1:%d", fb.port);
    ck_assert_int_eq(samsa_conf_set(conf, "bootstrap.servers", servers,
                                    errstr, sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(samsa_conf_set(conf, "retry.backoff.ms", "10", errstr,
                                    sizeof(errstr)), SAMSA_OK);
    for (; kv != NULL && kv[0] != NULL; kv += 2)
        ck_assert_msg(samsa_conf_set(conf, kv[0], kv[1], errstr,
                                     sizeof(errstr)) == SAMSA_OK, "%s",
                      errstr);
    samsa_conf_set_delivery_cb(conf, dr_cb, &drl);
    p = samsa_producer_new(conf, errstr, sizeof(errstr));
    ck_assert_msg(p != NULL, "%s", errstr);
    samsa_conf_destroy(conf);
    return p;
}

static samsa_err_t
send_kv(samsa_producer_t *p, int32_t part, const char *key,
        const char *value, intptr_t opaque)
{
    samsa_record_t rec;

    memset(&rec, 0, sizeof(rec));
    rec.topic = "t";
    rec.partition = part;
    rec.key = key;
    rec.key_len = key ? (int32_t)strlen(key) : 0;
    rec.value = value;
    rec.value_len = (int32_t)strlen(value);
    rec.timestamp = -1;
    return samsa_produce(p, &rec, (void *)opaque);
}

START_TEST(producer__conf_keys)
{
    samsa_conf_t *conf = samsa_conf_new();
    char errstr[256];

    ck_assert_int_eq(conf->c.p.acks, 1);
    ck_assert_int_eq(conf->c.p.batch_size, 16384);
    ck_assert_int_eq(conf->c.p.retries, INT32_MAX);
    ck_assert_int_eq(conf->c.p.delivery_timeout_ms, 120000);
    ck_assert_int_eq(conf->c.k.fetch_max_wait_ms, 500);
    ck_assert_int_eq(conf->c.p.conn_max_idle_ms, 540000);
    ck_assert_int_eq(samsa_conf_set(conf, "connections.max.idle.ms", "x",
                                    errstr, sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_str_eq(errstr, "Invalid value x for configuration "
                     "connections.max.idle.ms: Not a number of type INT");
    ck_assert_int_eq(samsa_conf_set(conf, "acks", "all", errstr,
                                    sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(conf->c.p.acks, -1);
    ck_assert_int_eq(samsa_conf_set(conf, "acks", "2", errstr,
                                    sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_int_eq(samsa_conf_set(conf, "compression.type", "zstd", errstr,
                                    sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(conf->c.p.codec, 4);
    ck_assert_int_eq(samsa_conf_set(conf, "compression.type", "brotli",
                                    errstr, sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_str_eq(errstr, "Invalid value brotli for configuration "
                     "compression.type: String must be one of: none, gzip, "
                     "snappy, lz4, zstd");
    ck_assert_int_eq(samsa_conf_set(conf, "linger.ms", "-1", errstr,
                                    sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_int_eq(samsa_conf_set(conf, "partitioner.class",
                     "org.apache.kafka.clients.producer.RoundRobinPartitioner",
                     errstr, sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(conf->c.p.partitioner, SM_PARTITIONER_ROUND_ROBIN);
    ck_assert_int_eq(samsa_conf_set(conf, "auto.offset.reset", "earliest",
                                    errstr, sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(conf->c.k.auto_offset_reset, SM_RESET_EARLIEST);
    samsa_conf_destroy(conf);
}
END_TEST

START_TEST(producer__keyed_reports_and_body)
{
    static const char *const kv[] = { "linger.ms", "50", NULL };
    samsa_producer_t *p = producer_for(samsa_conf_new(), kv);
    samsa_header_t h = { "h1", "v1", 2 };
    samsa_record_t rec;

    for (int i = 0; i < 10; i++) {
        char v[16];
        snprintf(v, sizeof(v), "v%d", i);
        ck_assert_int_eq(send_kv(p, SAMSA_PARTITION_ANY, "kafka", v, i + 1),
                         SAMSA_OK);
    }
    memset(&rec, 0, sizeof(rec));
    rec.topic = "t";
    rec.partition = 2;
    rec.value = "explicit";
    rec.value_len = 8;
    rec.timestamp = 1234567;
    rec.headers = &h;
    rec.header_cnt = 1;
    ck_assert_int_eq(samsa_produce(p, &rec, (void *)99), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_outq_len(p), 0);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_eq(drl.n, 11);
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(drl.err[i], 0);
        ck_assert_int_eq(drl.part[i], 1);       /* murmur2("kafka") % 3 */
        ck_assert_int_eq(drl.off[i], i);
        ck_assert_int_eq(drl.opaque[i], i + 1);
    }
    ck_assert_int_eq(drl.part[10], 2);
    ck_assert_int_eq(drl.off[10], 0);
    /* one request within linger.ms, one batch per partition */
    ck_assert_int_eq(ps.nreq, 1);
    ck_assert_int_eq(ps.nbatches, 2);
    ck_assert_str_eq(ps.vals[0], "v0");
    ck_assert_str_eq(ps.vals[9], "v9");
    ck_assert_str_eq(ps.vals[10], "explicit");
    ck_assert_int_eq(ps.acks, 1);
}
END_TEST

START_TEST(producer__batching_limits)
{
    static const char *const kv[] = { "batch.size", "400", "linger.ms",
                                      "60000", NULL };
    samsa_producer_t *p = producer_for(samsa_conf_new(), kv);
    char v[64];
    int total = 0;

    memset(v, 'x', 50);
    v[50] = '\0';
    for (int i = 0; i < 40; i++)
        ck_assert_int_eq(send_kv(p, 0, NULL, v, i), SAMSA_OK);
    /* full batches go without waiting for linger.ms */
    for (int i = 0; i < 200 && samsa_producer_outq_len(p) > 10; i++)
        usleep(10000);
    ck_assert_int_le(samsa_producer_outq_len(p), 10);
    ck_assert_int_gt(samsa_producer_outq_len(p), 0);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_gt(ps.nbatches, 4);
    for (int i = 0; i < ps.nbatches; i++) {
        /* 61 header + n * (50 + 41 estimated) <= 400: at most 3 */
        ck_assert_int_le(ps.batch_cnt[i], 3);
        total += ps.batch_cnt[i];
    }
    ck_assert_int_eq(total, 40);
    for (int i = 0; i < 40; i++)
        ck_assert_int_eq(drl.off[i], i);        /* order kept */
}
END_TEST

START_TEST(producer__linger_holds_batch)
{
    static const char *const kv[] = { "linger.ms", "400", NULL };
    samsa_producer_t *p = producer_for(samsa_conf_new(), kv);
    int64_t t0 = sm_mono_ms(), sent_at = -1;

    ck_assert_int_eq(send_kv(p, 0, NULL, "a", 1), SAMSA_OK);
    ck_assert_int_eq(send_kv(p, 0, NULL, "b", 2), SAMSA_OK);
    /* nothing goes before linger.ms; both go in one batch after it */
    for (int i = 0; i < 300 && sent_at < 0; i++) {
        if (samsa_producer_outq_len(p) == 0)
            sent_at = sm_mono_ms();
        else
            usleep(10000);
    }
    ck_assert_int_ge(sent_at - t0, 350);
    ck_assert_int_eq(ps.nreq, 1);
    ck_assert_int_eq(ps.nbatches, 1);
    ck_assert_int_eq(ps.batch_cnt[0], 2);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
}
END_TEST

START_TEST(producer__sticky_unkeyed)
{
    static const char *const kv[] = { "batch.size", "200", "linger.ms",
                                      "60000", NULL };
    samsa_producer_t *p = producer_for(samsa_conf_new(), kv);

    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(send_kv(p, SAMSA_PARTITION_ANY, NULL, "0123456789",
                                 i), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    /* each batch holds consecutive records of one partition */
    ck_assert_int_gt(ps.nbatches, 1);
    for (int i = 0; i < ps.nbatches; i++)
        ck_assert_int_le(ps.batch_cnt[i], 3);
    for (int i = 1; i < 12; i++)
        if (drl.opaque[i] % 3 != 0 && drl.opaque[i] == drl.opaque[i - 1] + 1)
            ck_assert_int_eq(drl.part[i], drl.part[i - 1]);
}
END_TEST

static int ic_calls[2];
static int ack_order[64];
static int nack;

static samsa_err_t
ic_first(samsa_record_t *rec, void *opaque)
{
    static char buf[8][32];
    static int n;
    char *b = buf[n++ % 8];

    (void)opaque;
    snprintf(b, 32, "A(%.*s)", (int)rec->value_len,
             (const char *)rec->value);
    rec->value = b;
    rec->value_len = (int32_t)strlen(b);
    ic_calls[0]++;
    return SAMSA_OK;
}

static samsa_err_t
ic_second(samsa_record_t *rec, void *opaque)
{
    static char buf[8][40];
    static int n;
    char *b = buf[n++ % 8];

    (void)opaque;
    snprintf(b, 40, "B(%.*s)", (int)rec->value_len,
             (const char *)rec->value);
    rec->value = b;
    rec->value_len = (int32_t)strlen(b);
    rec->partition = 1;
    ic_calls[1]++;
    return SM_ERR__STATE;          /* logged, ignored */
}

static void
ack_first(const samsa_delivery_t *dr, void *opaque)
{
    (void)dr;
    (void)opaque;
    if (nack < 64)
        ack_order[nack++] = 1;
}

static void
ack_second(const samsa_delivery_t *dr, void *opaque)
{
    (void)opaque;
    if (nack < 64)
        ack_order[nack++] = dr->partition == 1 ? 2 : -2;
}

START_TEST(producer__interceptors_chain)
{
    samsa_conf_t *conf = samsa_conf_new();
    samsa_producer_t *p;

    samsa_conf_add_interceptor(conf, ic_first, ack_first, NULL);
    samsa_conf_add_interceptor(conf, ic_second, ack_second, NULL);
    p = producer_for(conf, NULL);
    ck_assert_int_eq(send_kv(p, 0, "k", "x", 1), SAMSA_OK);
    ck_assert_int_eq(send_kv(p, 0, "k", "y", 2), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_eq(ic_calls[0], 2);
    ck_assert_int_eq(ic_calls[1], 2);
    ck_assert_str_eq(ps.vals[0], "B(A(x))");
    ck_assert_str_eq(ps.vals[1], "B(A(y))");
    ck_assert_int_eq(ps.vals_part[0], 1);
    ck_assert_int_eq(nack, 4);
    ck_assert_int_eq(ack_order[0], 1);
    ck_assert_int_eq(ack_order[1], 2);
    ck_assert_int_eq(drl.part[0], 1);
}
END_TEST

static int32_t
user_part(const char *topic, const void *key, int32_t key_len,
          int32_t partition_cnt, void *opaque)
{
    (void)topic;
    (void)opaque;
    ck_assert_int_eq(partition_cnt, 3);
    /* the last partition for null keys, else the key's length */
    return key == NULL ? partition_cnt - 1 : key_len % partition_cnt;
}

START_TEST(producer__user_partitioner)
{
    samsa_conf_t *conf = samsa_conf_new();
    samsa_producer_t *p;

    samsa_conf_set_partitioner_cb(conf, user_part, NULL);
    p = producer_for(conf, NULL);
    ck_assert_int_eq(send_kv(p, SAMSA_PARTITION_ANY, NULL, "a", 1),
                     SAMSA_OK);
    ck_assert_int_eq(send_kv(p, SAMSA_PARTITION_ANY, "k", "b", 2),
                     SAMSA_OK);
    ck_assert_int_eq(send_kv(p, 0, "k", "c", 3), SAMSA_OK);  /* explicit */
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_eq(drl.n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(drl.err[i], 0);
        ck_assert_int_eq(drl.part[i], drl.opaque[i] == 1 ? 2 :
                                      drl.opaque[i] == 2 ? 1 : 0);
    }
}
END_TEST

START_TEST(producer__retry_not_leader)
{
    samsa_producer_t *p;
    int md_before;

    ps.fail_left = 2;
    ps.fail_code = SM_ERR_NOT_LEADER_FOR_PARTITION;
    p = producer_for(samsa_conf_new(), NULL);
    ck_assert_int_eq(send_kv(p, 0, NULL, "a", 1), SAMSA_OK);
    md_before = atomic_load(&fb.nreq[SM_API_Metadata]);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    ck_assert_int_gt(atomic_load(&fb.nreq[SM_API_Metadata]), md_before);
    fb_stop(&fb);
    ck_assert_int_eq(ps.nreq, 3);
    ck_assert_int_eq(drl.n, 1);
    ck_assert_int_eq(drl.err[0], 0);
    ck_assert_int_eq(drl.off[0], 0);
    ck_assert_str_eq(ps.vals[0], "a");
}
END_TEST

START_TEST(producer__retries_exhausted)
{
    static const char *const kv[] = { "retries", "1", NULL };
    samsa_producer_t *p;

    ps.fail_left = 100;
    ps.fail_code = SM_ERR_NOT_ENOUGH_REPLICAS;
    p = producer_for(samsa_conf_new(), kv);
    ck_assert_int_eq(send_kv(p, 0, NULL, "a", 1), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_eq(ps.nreq, 2);
    ck_assert_int_eq(drl.n, 1);
    ck_assert_int_eq(drl.err[0], SM_ERR_NOT_ENOUGH_REPLICAS);
    ck_assert_int_eq(drl.off[0], -1);
}
END_TEST

START_TEST(producer__fatal_error_not_retried)
{
    samsa_producer_t *p;

    ps.fail_left = 100;
    ps.fail_code = SM_ERR_MESSAGE_TOO_LARGE;
    p = producer_for(samsa_conf_new(), NULL);
    ck_assert_int_eq(send_kv(p, 0, NULL, "a", 1), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_eq(ps.nreq, 1);
    ck_assert_int_eq(drl.err[0], SM_ERR_MESSAGE_TOO_LARGE);
}
END_TEST

START_TEST(producer__acks0_and_compression)
{
    static const char *const kv[] = { "acks", "0", "compression.type",
                                      "gzip", NULL };
    samsa_producer_t *p = producer_for(samsa_conf_new(), kv);

    ck_assert_int_eq(send_kv(p, 1, "k", "hello", 1), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    for (int i = 0; i < 200 && atomic_load(&fb.nreq[SM_API_Produce]) == 0;
         i++)
        usleep(10000);
    fb_stop(&fb);
    ck_assert_int_eq(drl.n, 1);
    ck_assert_int_eq(drl.err[0], 0);
    ck_assert_int_eq(drl.off[0], -1);
    ck_assert_int_eq(ps.acks, 0);
    ck_assert_int_eq(ps.batch_codec[0], SM_CODEC_GZIP);
    ck_assert_str_eq(ps.vals[0], "hello");
}
END_TEST

START_TEST(producer__send_errors)
{
    static const char *const kv[] = { "max.request.size", "200",
                                      "max.block.ms", "300", NULL };
    samsa_producer_t *p = producer_for(samsa_conf_new(), kv);
    samsa_record_t rec;
    char big[300];

    memset(big, 'b', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(send_kv(p, 0, NULL, big, 1), SM_ERR_MESSAGE_TOO_LARGE);
    ck_assert_int_eq(send_kv(p, 3, NULL, "x", 1),
                     SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    memset(&rec, 0, sizeof(rec));
    rec.topic = "nope";
    rec.partition = SAMSA_PARTITION_ANY;
    rec.value = "x";
    rec.value_len = 1;
    ck_assert_int_eq(samsa_produce(p, &rec, NULL), SM_ERR__TIMED_OUT);
    rec.topic = "";
    ck_assert_int_eq(samsa_produce(p, &rec, NULL), SM_ERR__INVALID_ARG);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_eq(drl.n, 0);
}
END_TEST

START_TEST(producer__close_fails_pending)
{
    static const char *const kv[] = { "linger.ms", "60000", NULL };
    samsa_producer_t *p = producer_for(samsa_conf_new(), kv);

    ck_assert_int_eq(send_kv(p, 0, NULL, "a", 1), SAMSA_OK);
    samsa_producer_close(p, 0);
    fb_stop(&fb);
    ck_assert_int_eq(drl.n, 1);
    ck_assert_int_eq(drl.err[0], SM_ERR__STATE);
    ck_assert_int_eq(ps.nreq, 0);
}
END_TEST

/* Batches queued behind one that is being retried expire in queue order
 * once delivery.timeout.ms passes, each reported once. */
/* connections.max.idle.ms: the producer's connection closes when idle
 * and a later record opens a new one (a new ApiVersions exchange). */
START_TEST(producer__idle_connection_closed)
{
    static const char *const kv[] = { "connections.max.idle.ms", "200",
                                      NULL };
    samsa_producer_t *p;
    int av_before;

    p = producer_for(samsa_conf_new(), kv);
    ck_assert_int_eq(send_kv(p, 0, NULL, "a", 1), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    av_before = atomic_load(&fb.nreq[SM_API_ApiVersions]);
    usleep(700 * 1000);
    ck_assert_int_eq(send_kv(p, 0, NULL, "b", 2), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_ApiVersions]),
                     av_before + 1);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_eq(drl.n, 2);
    ck_assert_int_eq(drl.err[0], 0);
    ck_assert_int_eq(drl.err[1], 0);
    ck_assert_int_eq(drl.off[1], 1);
}
END_TEST

/* ------------------------------------------------------------ pipelining */

static int
drl_count(void)
{
    int n;

    pthread_mutex_lock(&drl.lock);
    n = drl.n;
    pthread_mutex_unlock(&drl.lock);
    return n;
}

/* Send n one-record batches ("p1".."pn", opaque 1..n) to partition 0,
 * each its own batch (linger.ms=0, a pause between). */
static void
send_singles(samsa_producer_t *p, int n)
{
    char v[16];

    for (intptr_t i = 1; i <= n; i++) {
        snprintf(v, sizeof(v), "p%d", (int)i);
        ck_assert_int_eq(send_kv(p, 0, NULL, v, i), SAMSA_OK);
        usleep(20 * 1000);
    }
}

/* Release held answers until n reports came (bounded: 10 s); the most
 * answers held at once. */
static int
release_until(int n)
{
    int most = 0;

    for (int i = 0; i < 1000 && drl_count() < n; i++) {
        int held = atomic_load(&fb.nheld);
        if (held > most)
            most = held;
        if (held > 0 && i % 5 == 4)
            fb_release(&fb);
        usleep(10 * 1000);
    }
    ck_assert_int_eq(drl_count(), n);
    return most;
}

/* Reports 1..n in produce order at consecutive offsets from first. */
static void
check_in_order(int n, int64_t first)
{
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(drl.err[i], 0);
        ck_assert_int_eq(drl.opaque[i], i + 1);
        ck_assert_int_eq(drl.off[i], first + i);
    }
}

/* max.in.flight.requests.per.connection=5: later batches of the same
 * partition go out while earlier ones wait for their answers. */
START_TEST(producer__pipelined_requests)
{
    samsa_producer_t *p;
    int most;

    ps.hold = 1;
    p = producer_for(samsa_conf_new(), NULL);
    send_singles(p, 5);
    for (int i = 0; i < 500 && atomic_load(&fb.nheld) < 3; i++)
        usleep(10 * 1000);
    ck_assert_int_ge(atomic_load(&fb.nheld), 3);
    /* nothing answered yet, and three Produce requests are in */
    ck_assert_int_eq(drl_count(), 0);
    pthread_mutex_lock(&ps.lock);
    ck_assert_int_ge(ps.nprod, 3);
    pthread_mutex_unlock(&ps.lock);
    most = release_until(5);
    ck_assert_int_ge(most, 3);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    check_in_order(5, 0);
    for (int i = 0; i < 5; i++) {
        char v[16];
        snprintf(v, sizeof(v), "p%d", i + 1);
        ck_assert_str_eq(ps.vals[i], v);
    }
}
END_TEST

/* max.in.flight=1: never two Produce requests outstanding. */
START_TEST(producer__max_in_flight_one)
{
    static const char *const kv[] = {
        "max.in.flight.requests.per.connection", "1", NULL };
    samsa_producer_t *p;

    ps.hold = 1;
    p = producer_for(samsa_conf_new(), kv);
    send_singles(p, 4);
    ck_assert_int_eq(release_until(4), 1);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    check_in_order(4, 0);
}
END_TEST

/* request.timeout.ms: an unanswered Produce closes the connection and
 * the batch goes again on a new one (at least once: the fake appended
 * it twice). */
START_TEST(producer__request_timeout_retries)
{
    static const char *const kv[] = { "request.timeout.ms", "300", NULL };
    samsa_producer_t *p;
    int accepted;

    ps.silent_first = 1;
    p = producer_for(samsa_conf_new(), kv);
    ck_assert_int_eq(send_kv(p, 0, NULL, "late", 1), SAMSA_OK);
    accepted = atomic_load(&fb.naccepted);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    ck_assert_int_gt(atomic_load(&fb.naccepted), accepted);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_eq(drl.n, 1);
    ck_assert_int_eq(drl.err[0], 0);
    ck_assert_int_eq(drl.off[0], 1);     /* the retry's offset */
    ck_assert_int_eq(ps.nvals, 2);
    ck_assert_str_eq(ps.vals[0], "late");
    ck_assert_str_eq(ps.vals[1], "late");
}
END_TEST

/* The broker drops the connection with three requests in flight and a
 * fourth arriving: all four go again, in produce order, on a new
 * connection. */
START_TEST(producer__dropped_connection_keeps_order)
{
    samsa_producer_t *p;

    ps.close_at = 4;
    p = producer_for(samsa_conf_new(), NULL);
    send_singles(p, 4);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    /* p1..p3 were appended before the drop (answers lost), then p1..p4
     * again */
    ck_assert_int_eq(ps.nvals, 7);
    for (int i = 0; i < 4; i++) {
        char v[16];
        snprintf(v, sizeof(v), "p%d", i + 1);
        ck_assert_str_eq(ps.vals[3 + i], v);
    }
    check_in_order(4, 3);
}
END_TEST

/* A leader nothing listens on: records fail once delivery.timeout.ms
 * passes, and close does not hang. */
START_TEST(producer__refused_broker)
{
    static const char *const kv[] = { "delivery.timeout.ms", "800",
                                      "request.timeout.ms", "300", NULL };
    samsa_producer_t *p;
    int64_t t0;

    fb.broker_port = fb_closed_port();  /* Metadata names a dead port */
    p = producer_for(samsa_conf_new(), kv);
    ck_assert_int_eq(send_kv(p, 0, NULL, "x", 1), SAMSA_OK);
    ck_assert_int_eq(send_kv(p, 1, NULL, "y", 2), SAMSA_OK);
    t0 = sm_mono_ms();
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    ck_assert_int_lt(sm_mono_ms() - t0, 5000);
    t0 = sm_mono_ms();
    samsa_producer_close(p, 1000);
    ck_assert_int_lt(sm_mono_ms() - t0, 2000);
    fb_stop(&fb);
    ck_assert_int_eq(drl.n, 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(drl.err[i] == SM_ERR__TIMED_OUT ||
                      drl.err[i] == SM_ERR__TRANSPORT, "record %d: %s", i,
                      sm_err_name(drl.err[i]));
        ck_assert_int_eq(drl.off[i], -1);
    }
    ck_assert_int_eq(ps.nreq, 0);
}
END_TEST

/* The only broker gone once the producer runs (request.timeout.ms 10 s):
 * the metadata refreshes that find nothing to connect to do not hold the
 * I/O thread for request.timeout.ms, so close returns about on time and
 * fails the record left. */
START_TEST(producer__cluster_gone_close)
{
    static const char *const kv[] = { "request.timeout.ms", "10000",
                                      "delivery.timeout.ms", "10000", NULL };
    samsa_producer_t *p;
    int64_t t0;

    p = producer_for(samsa_conf_new(), kv);
    ck_assert_int_eq(send_kv(p, 0, NULL, "a", 1), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    fb_stop(&fb);                       /* connections closed, port dead */
    ck_assert_int_eq(send_kv(p, 0, NULL, "b", 2), SAMSA_OK);
    usleep(300 * 1000);                 /* the I/O thread meets the loss */
    t0 = sm_mono_ms();
    samsa_producer_close(p, 1000);
    ck_assert_int_lt(sm_mono_ms() - t0, 2500);
    ck_assert_int_eq(drl.n, 2);
    ck_assert_int_eq(drl.err[0], 0);
    ck_assert_int_ne(drl.err[1], 0);
    ck_assert_int_eq(drl.off[1], -1);
}
END_TEST

START_TEST(producer__delivery_timeout_expires_queue)
{
    /* one request in flight: batches 2 and 3 wait in the queue while 1
     * is retried, and expire there (pipelined, a retriable failure of 1
     * may be reported after 2's: Kafka's max.in.flight caveat) */
    static const char *const kv[] = {
        "batch.size", "1", "delivery.timeout.ms", "300",
        "max.in.flight.requests.per.connection", "1", NULL };
    samsa_producer_t *p;

    ps.fail_left = 1000000;
    ps.fail_code = SM_ERR_NOT_ENOUGH_REPLICAS;
    p = producer_for(samsa_conf_new(), kv);
    for (intptr_t i = 1; i <= 3; i++)
        ck_assert_int_eq(send_kv(p, 0, NULL, "a", i), SAMSA_OK);
    ck_assert_int_eq(samsa_producer_flush(p, 10000), SAMSA_OK);
    samsa_producer_close(p, 1000);
    fb_stop(&fb);
    ck_assert_int_ge(ps.nreq, 2);
    ck_assert_int_eq(drl.n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(drl.opaque[i], i + 1);
        ck_assert_int_ne(drl.err[i], 0);
        ck_assert_int_eq(drl.off[i], -1);
    }
    ck_assert_int_eq(drl.err[1], SM_ERR__TIMED_OUT);
    ck_assert_int_eq(drl.err[2], SM_ERR__TIMED_OUT);
}
END_TEST

Suite *
sm_test_suite_producer(void)
{
    Suite *s = suite_create("producer");
    TCase *tc = tcase_create("producer");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, producer__conf_keys);
    tcase_add_test(tc, producer__keyed_reports_and_body);
    tcase_add_test(tc, producer__batching_limits);
    tcase_add_test(tc, producer__linger_holds_batch);
    tcase_add_test(tc, producer__sticky_unkeyed);
    tcase_add_test(tc, producer__interceptors_chain);
    tcase_add_test(tc, producer__user_partitioner);
    tcase_add_test(tc, producer__retry_not_leader);
    tcase_add_test(tc, producer__retries_exhausted);
    tcase_add_test(tc, producer__fatal_error_not_retried);
    tcase_add_test(tc, producer__acks0_and_compression);
    tcase_add_test(tc, producer__send_errors);
    tcase_add_test(tc, producer__close_fails_pending);
    tcase_add_test(tc, producer__delivery_timeout_expires_queue);
    tcase_add_test(tc, producer__idle_connection_closed);
    tcase_add_test(tc, producer__pipelined_requests);
    tcase_add_test(tc, producer__max_in_flight_one);
    tcase_add_test(tc, producer__request_timeout_retries);
    tcase_add_test(tc, producer__dropped_connection_keeps_order);
    tcase_add_test(tc, producer__refused_broker);
    tcase_add_test(tc, producer__cluster_gone_close);
    suite_add_tcase(s, tc);
    return s;
}
