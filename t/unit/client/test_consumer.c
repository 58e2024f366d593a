/* test_consumer.c: consumer.c - logical offsets through ListOffsets,
 * Fetch decoding (records before the fetch offset in a batch skipped,
 * headers, control batches), the error returned once for
 * OFFSET_OUT_OF_RANGE with auto.offset.reset=none, assign_topic over
 * Metadata, poll_batch / max.poll.records, the on_consume interceptor,
 * position, pause/resume, seek, and the group consumer's configuration
 * and argument checks (no broker-side group here: that is
 * t/integration/test_group_consumer.py), against the scripted broker of
 * fake_broker.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/client.h"
#include "fake_broker.h"
#include "protocol/fetch.h"
#include "protocol/listoffsets.h"
#include "protocol/metadata.h"
#include "protocol/records.h"
#include "sm_test.h"

typedef struct cstate {
    int16_t fetch_err;              /* answer every Fetch with this */
    int64_t earliest;               /* ListOffsets EARLIEST answer */
    int     nfetch;
    int64_t last_fetch_offset;
} cstate_t;

static sm_bytes_t
cs_b(const char *p, int32_t len)
{
    sm_bytes_t b = { (const uint8_t *)p, len };

    return b;
}

/* Records 3..7 ("r3".."r7", header h=<n> on each) in one batch, then a
 * control batch at 8, then record 9. */
static void
cs_records(sm_buf_t *out)
{
    sm_batch_builder_t bb;
    char v[8], hv[8];

    sm_batch_builder_init(&bb, out, 2, SM_CODEC_GZIP, 3);
    for (int i = 3; i <= 7; i++) {
        sm_record_header_t h;
        snprintf(v, sizeof(v), "r%d", i);
        snprintf(hv, sizeof(hv), "%d", i);
        h.key = sm_str_cstr("h");
        h.value.ptr = (const uint8_t *)hv;
        h.value.len = (int32_t)strlen(hv);
        sm_batch_builder_add(&bb, 1000 + i, cs_b(NULL, -1),
                             cs_b(v, (int32_t)strlen(v)), &h, 1);
    }
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    sm_batch_builder_init(&bb, out, 2, SM_CODEC_NONE, 8);
    bb.attributes = 0x20 | 0x10;    /* control, transactional */
    sm_batch_builder_add(&bb, 1008, cs_b("\0\0\0\0", 4),
                         cs_b("\0\0\0\0\0\0", 6), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    sm_batch_builder_init(&bb, out, 2, SM_CODEC_NONE, 9);
    sm_batch_builder_add(&bb, 1009, cs_b("k", 1),
                         cs_b("r9", 2), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
}

/* One partition of the answer: records from cs_records() when asked
 * at or before 9 (and no error is scripted). */
static void
cs_fetch_part(cstate_t *cs, const sm_FetchRequestPartition_t *fp,
              sm_FetchResponsePartition_t *rp, sm_buf_t *recs)
{
    cs->nfetch++;
    cs->last_fetch_offset = fp->FetchOffset;
    if (cs->fetch_err == SM_OK && fp->FetchOffset <= 9)
        cs_records(recs);
    rp->PartitionIndex = fp->Partition;
    rp->ErrorCode = cs->fetch_err;
    rp->HighWatermark = 10;
    rp->LastStableOffset = 10;
    rp->AbortedTransactionsCnt = -1;
    rp->PreferredReadReplica = -1;
    rp->Records.ptr = recs->data;
    rp->Records.len = (int32_t)recs->len;
}

static int
cs_fetch(cstate_t *cs, const sm_req_hdr_t *hdr, sm_rd_t *body,
         sm_buf_t *out)
{
    sm_FetchRequest_t req;
    sm_FetchResponse_t resp;
    sm_FetchResponseTopic_t rt;
    sm_FetchResponsePartition_t rp[4];
    sm_buf_t recs[4];
    int32_t n;

    if (sm_FetchRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    ck_assert_int_eq(req.TopicsCnt, 1);     /* partitions grouped */
    n = req.Topics[0].PartitionsCnt;
    ck_assert_int_le(n, 4);
    memset(&resp, 0, sizeof(resp));
    memset(&rt, 0, sizeof(rt));
    memset(rp, 0, sizeof(rp));
    resp.ResponsesCnt = 1;
    resp.Responses = &rt;
    rt.Topic = req.Topics[0].Topic;
    rt.PartitionsCnt = n;
    rt.Partitions = rp;
    for (int32_t i = 0; i < n; i++) {
        sm_buf_init(&recs[i], 256);
        cs_fetch_part(cs, &req.Topics[0].Partitions[i], &rp[i], &recs[i]);
    }
    sm_FetchResponse_write(out, hdr->ApiVersion, &resp);
    for (int32_t i = 0; i < n; i++)
        sm_buf_fini(&recs[i]);
    sm_FetchRequest_free(&req);
    return FB_ANSWER;
}

static int
cs_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    cstate_t *cs = fb->arg;
    sm_ListOffsetsRequest_t req;
    sm_ListOffsetsResponse_t resp;
    sm_ListOffsetsResponseTopic_t rt;
    sm_ListOffsetsResponsePartition_t rp;

    if (hdr->ApiKey == SM_API_Fetch)
        return cs_fetch(cs, hdr, body, out);
    if (hdr->ApiKey != SM_API_ListOffsets)
        return fb_default(fb, hdr, body, out);
    if (sm_ListOffsetsRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    memset(&resp, 0, sizeof(resp));
    memset(&rt, 0, sizeof(rt));
    memset(&rp, 0, sizeof(rp));
    resp.TopicsCnt = 1;
    resp.Topics = &rt;
    rt.Name = req.Topics[0].Name;
    rt.PartitionsCnt = 1;
    rt.Partitions = &rp;
    rp.PartitionIndex = req.Topics[0].Partitions[0].PartitionIndex;
    rp.Timestamp = -1;
    rp.Offset = req.Topics[0].Partitions[0].Timestamp ==
                SM_LISTOFFSETS_EARLIEST ? cs->earliest : 10;
    rp.LeaderEpoch = -1;
    sm_ListOffsetsResponse_write(out, hdr->ApiVersion, &resp);
    sm_ListOffsetsRequest_free(&req);
    return FB_ANSWER;
}

static const fb_topic_t ctopics[] = {
    { "t", 0, 0, 2 },
    { "nope", SM_ERR_UNKNOWN_TOPIC_OR_PARTITION, 0, 0 },
};
static fb_t     fb;
static cstate_t cs;

static void
setup(void)
{
    memset(&cs, 0, sizeof(cs));
    cs.earliest = 5;
    ck_assert_int_eq(fb_start(&fb, 0, cs_handler, &cs), 0);
    fb.topics = ctopics;            /* fb_start clears fb */
    fb.ntopics = 2;
}

static samsa_consumer_t *
consumer_for(const char *reset)
{
    samsa_conf_t *conf = samsa_conf_new();
    samsa_consumer_t *c;
    char errstr[256], servers[64];

    snprintf(servers, sizeof(servers), "127.0.0.1:%d", fb.port);
    ck_assert_int_eq(samsa_conf_set(conf, "bootstrap.servers", servers,
                                    errstr, sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(samsa_conf_set(conf, "retry.backoff.ms", "10", errstr,
                                    sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(samsa_conf_set(conf, "auto.offset.reset", reset,
                                    errstr, sizeof(errstr)), SAMSA_OK);
    c = samsa_consumer_new(conf, errstr, sizeof(errstr));
    ck_assert_msg(c != NULL, "%s", errstr);
    samsa_conf_destroy(conf);
    return c;
}

START_TEST(consumer__earliest_skips_and_headers)
{
    samsa_consumer_t *c = consumer_for("latest");
    samsa_message_t *m;
    char *errmsg;
    int64_t want[] = { 5, 6, 7, 9 };

    ck_assert_int_eq(samsa_consumer_assign(c, "t", 1,
                                           SAMSA_OFFSET_BEGINNING),
                     SAMSA_OK);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(samsa_consumer_poll(c, 5000, &m, &errmsg),
                         SAMSA_OK);
        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(m->offset, want[i]);
        ck_assert_int_eq(m->partition, 1);
        ck_assert_str_eq(m->topic, "t");
        ck_assert_int_eq(m->timestamp, 1000 + want[i]);
        if (want[i] < 9) {
            char v[8];
            snprintf(v, sizeof(v), "r%d", (int)want[i]);
            ck_assert_ptr_null(m->key);
            ck_assert_int_eq(m->key_len, -1);
            ck_assert_str_eq(m->value, v);
            ck_assert_int_eq(m->header_cnt, 1);
            ck_assert_str_eq(m->headers[0].key, "h");
            ck_assert_int_eq(m->headers[0].value_len, 1);
        } else {
            ck_assert_str_eq(m->key, "k");
            ck_assert_int_eq(m->header_cnt, 0);
        }
        samsa_message_destroy(m);
    }
    /* nothing more: the next fetch is from 10 */
    ck_assert_int_eq(samsa_consumer_poll(c, 200, &m, &errmsg), SAMSA_OK);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(cs.last_fetch_offset, 10);
    samsa_consumer_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* consumer_fetch.c keeps a Fetch ahead: once the first answer (3..9
 * from offset 5) is in, the next Fetch (at 10, past the last batch) is
 * out before the application has taken more than one message; a seek
 * then drops what is queued and that answer, and polls resume at the
 * seek's offset without duplicates. */
START_TEST(consumer__fetch_ahead_and_seek)
{
    samsa_consumer_t *c = consumer_for("earliest");
    samsa_message_t *m;
    int64_t want[] = { 6, 7, 9 };

    ck_assert_int_eq(samsa_consumer_assign(c, "t", 1,
                                           SAMSA_OFFSET_BEGINNING),
                     SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_poll(c, 5000, &m, NULL), SAMSA_OK);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->offset, 5);
    samsa_message_destroy(m);
    for (int i = 0; i < 200 && cs.nfetch < 2; i++)
        usleep(10 * 1000);
    ck_assert_int_eq(cs.nfetch, 2);
    ck_assert_int_eq(cs.last_fetch_offset, 10);
    ck_assert_int_eq(samsa_consumer_seek(c, "t", 1, 6), SAMSA_OK);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(samsa_consumer_poll(c, 5000, &m, NULL), SAMSA_OK);
        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(m->offset, want[i]);
        samsa_message_destroy(m);
    }
    ck_assert_int_eq(samsa_consumer_poll(c, 200, &m, NULL), SAMSA_OK);
    ck_assert_ptr_null(m);
    samsa_consumer_destroy(c);
    fb_stop(&fb);
}
END_TEST

START_TEST(consumer__out_of_range_none)
{
    samsa_consumer_t *c = consumer_for("none");
    samsa_message_t *m;
    char *errmsg = NULL;

    cs.fetch_err = SM_ERR_OFFSET_OUT_OF_RANGE;
    ck_assert_int_eq(samsa_consumer_assign(c, "t", 0, 42), SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_poll(c, 5000, &m, &errmsg),
                     SM_ERR_OFFSET_OUT_OF_RANGE);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(errmsg);
    ck_assert_ptr_nonnull(strstr(errmsg, "[t-0]"));
    free(errmsg);
    /* reported once; the partition is parked */
    ck_assert_int_eq(samsa_consumer_poll(c, 100, &m, &errmsg), SAMSA_OK);
    ck_assert_ptr_null(m);
    samsa_consumer_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* The last Metadata request asked for exactly topic (the fake broker
 * answers with every topic whatever it is asked). */
static void
check_md_request(const char *topic)
{
    sm_MetadataRequest_t req;
    size_t len;
    uint8_t *body = fb_last_body(&fb, SM_API_Metadata, &len);
    sm_rd_t rd;

    ck_assert_ptr_nonnull(body);
    sm_rd_init(&rd, body, len);
    ck_assert_int_eq(sm_MetadataRequest_read(&rd,
                     (int16_t)atomic_load(&fb.last_version[SM_API_Metadata]),
                     &req), SM_OK);
    ck_assert_int_eq(req.TopicsCnt, 1);
    ck_assert(sm_str_eq_cstr(req.Topics[0].Name, topic));
    ck_assert_int_eq(req.AllowAutoTopicCreation, 0);
    sm_MetadataRequest_free(&req);
    free(body);
}

START_TEST(consumer__assign_topic_and_seek)
{
    samsa_consumer_t *c = consumer_for("earliest");
    samsa_message_t *m;
    char *errmsg = NULL;
    int seen[2] = { 0, 0 };

    ck_assert_int_eq(samsa_consumer_assign_topic(c, "t", SAMSA_OFFSET_STORED,
                                                 &errmsg), SAMSA_OK);
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(samsa_consumer_poll(c, 5000, &m, NULL), SAMSA_OK);
        ck_assert_ptr_nonnull(m);
        seen[m->partition]++;
        samsa_message_destroy(m);
    }
    ck_assert_int_eq(seen[0], 4);
    ck_assert_int_eq(seen[1], 4);
    check_md_request("t");
    /* seek partition 0 back to 9 */
    ck_assert_int_eq(samsa_consumer_assign(c, "t", 0, 9), SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_poll(c, 5000, &m, NULL), SAMSA_OK);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->offset, 9);
    ck_assert_int_eq(m->partition, 0);
    samsa_message_destroy(m);
    ck_assert_int_eq(samsa_consumer_assign_topic(c, "nope",
                                                 SAMSA_OFFSET_END, &errmsg),
                     SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_ptr_nonnull(errmsg);
    free(errmsg);
    ck_assert_int_eq(samsa_consumer_assign(c, "t", -1, 0),
                     SM_ERR__INVALID_ARG);
    samsa_consumer_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* on_consume: counts, and upper-cases the value's first byte in place. */
static void
upper_first(samsa_message_t *m, void *opaque)
{
    (*(int *)opaque)++;
    if (m->value_len > 0)
        ((char *)m->value)[0] = (char)(((char *)m->value)[0] - 'a' + 'A');
}

static samsa_consumer_t *
consumer_with(const char *const *kv, int n, int *count, char *errstr,
              size_t errstr_size)
{
    samsa_conf_t *conf = samsa_conf_new();
    samsa_consumer_t *c;
    char servers[64];

    snprintf(servers, sizeof(servers), "127.0.0.1:%d", fb.port);
    ck_assert_int_eq(samsa_conf_set(conf, "bootstrap.servers", servers,
                                    errstr, errstr_size), SAMSA_OK);
    for (int i = 0; i < n; i += 2)
        ck_assert_int_eq(samsa_conf_set(conf, kv[i], kv[i + 1], errstr,
                                        errstr_size), SAMSA_OK);
    if (count != NULL)
        samsa_conf_add_consumer_interceptor(conf, upper_first, NULL, count);
    c = samsa_consumer_new(conf, errstr, errstr_size);
    samsa_conf_destroy(conf);
    return c;
}

/* poll_batch stops at max.poll.records; on_consume sees (and may change)
 * every message; position is the next offset to return; pause drops
 * what was fetched and stops fetching; resume and seek go on. */
START_TEST(consumer__batch_interceptor_position_pause)
{
    const char *kv[] = { "max.poll.records", "2", "retry.backoff.ms",
                         "10" };
    samsa_topic_partition_t tp = { "t", 1 };
    samsa_message_t *msgs[10];
    char errstr[256];
    int seen = 0, n = 0;
    int64_t pos = -1;
    samsa_consumer_t *c = consumer_with(kv, 4, &seen, errstr,
                                        sizeof(errstr));

    ck_assert_msg(c != NULL, "%s", errstr);
    ck_assert_int_eq(samsa_consumer_assign(c, "t", 1,
                                           SAMSA_OFFSET_BEGINNING),
                     SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_poll_batch(c, 5000, msgs, 10, &n, NULL),
                     SAMSA_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(msgs[0]->offset, 5);
    ck_assert_int_eq(msgs[1]->offset, 6);
    ck_assert_str_eq(msgs[0]->value, "R5");
    ck_assert_int_eq(seen, 2);
    for (int i = 0; i < n; i++)
        samsa_message_destroy(msgs[i]);
    ck_assert_int_eq(samsa_consumer_position(c, "t", 1, &pos), SAMSA_OK);
    ck_assert_int_eq(pos, 7);
    ck_assert_int_eq(samsa_consumer_pause(c, &tp, 1), SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_poll_batch(c, 200, msgs, 10, &n, NULL),
                     SAMSA_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(samsa_consumer_position(c, "t", 1, &pos), SAMSA_OK);
    ck_assert_int_eq(pos, 7);
    ck_assert_int_eq(samsa_consumer_resume(c, &tp, 1), SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_poll_batch(c, 5000, msgs, 10, &n, NULL),
                     SAMSA_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(msgs[0]->offset, 7);
    ck_assert_int_eq(msgs[1]->offset, 9);
    for (int i = 0; i < n; i++)
        samsa_message_destroy(msgs[i]);
    ck_assert_int_eq(samsa_consumer_seek(c, "t", 1, 6), SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_poll_batch(c, 5000, msgs, 1, &n, NULL),
                     SAMSA_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(msgs[0]->offset, 6);
    samsa_message_destroy(msgs[0]);
    ck_assert_int_eq(seen, 5);
    ck_assert_int_eq(samsa_consumer_seek(c, "t", 0, 0), SM_ERR__STATE);
    ck_assert_int_eq(samsa_consumer_pause(c, &(samsa_topic_partition_t){
                                              "x", 0 }, 1), SM_ERR__STATE);
    ck_assert_int_eq(samsa_consumer_unassign(c, "t", 1), SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_position(c, "t", 1, &pos),
                     SM_ERR__STATE);
    samsa_consumer_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* The group keys and the calls that need a group or a subscription. */
START_TEST(consumer__group_checks)
{
    const char *bad_asg[] = { "group.id", "g",
                              "partition.assignment.strategy",
                              "range,bogus" };
    const char *bad_hb[] = { "group.id", "g", "heartbeat.interval.ms",
                             "10000", "session.timeout.ms", "6000" };
    const char *grp[] = { "group.id", "g", "partition.assignment.strategy",
                          "org.apache.kafka.clients.consumer.StickyAssignor,"
                          "roundrobin", "enable.auto.commit", "false",
                          "default.api.timeout.ms", "500" };
    const char *topics[] = { "t" };
    samsa_conf_t *conf = samsa_conf_new();
    samsa_consumer_t *c;
    char errstr[256];

    ck_assert_int_eq(samsa_conf_set(conf, "enable.auto.commit", "maybe",
                                    errstr, sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_int_eq(samsa_conf_set(conf, "offsets.storage", "disk", errstr,
                                    sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_ptr_nonnull(strstr(errstr, "offsets.storage"));
    ck_assert_int_eq(samsa_conf_set(conf, "max.poll.records", "0", errstr,
                                    sizeof(errstr)), SM_ERR__CONFIG);
    samsa_conf_destroy(conf);
    c = consumer_with(bad_asg, 4, NULL, errstr, sizeof(errstr));
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(errstr, "bogus"));
    c = consumer_with(bad_hb, 6, NULL, errstr, sizeof(errstr));
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(errstr, "heartbeat.interval.ms"));
    c = consumer_with(NULL, 0, NULL, errstr, sizeof(errstr));
    ck_assert_ptr_nonnull(c);                       /* no group.id */
    ck_assert_int_eq(samsa_consumer_subscribe(c, topics, 1),
                     SM_ERR_INVALID_GROUP_ID);
    ck_assert_int_eq(samsa_consumer_commit_sync(c, NULL, 0, NULL),
                     SM_ERR_INVALID_GROUP_ID);
    ck_assert_int_eq(samsa_consumer_commit_async(c, NULL, 0, NULL, NULL),
                     SM_ERR_INVALID_GROUP_ID);
    samsa_consumer_destroy(c);
    c = consumer_with(grp, 8, NULL, errstr, sizeof(errstr));
    ck_assert_msg(c != NULL, "%s", errstr);
    ck_assert_int_eq(samsa_consumer_subscribe(c, topics, 0),
                     SM_ERR__INVALID_ARG);
    ck_assert_int_eq(samsa_consumer_subscribe_pattern(c, "(unclosed"),
                     SM_ERR__INVALID_ARG);
    ck_assert_int_eq(samsa_consumer_assign(c, "t", 0, 0), SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_subscribe(c, topics, 1),
                     SM_ERR__INVALID_ARG);      /* assign() was used */
    samsa_consumer_destroy(c);
    c = consumer_with(grp, 8, NULL, errstr, sizeof(errstr));
    ck_assert_int_eq(samsa_consumer_subscribe(c, topics, 1), SAMSA_OK);
    ck_assert_int_eq(samsa_consumer_assign(c, "t", 0, 0),
                     SM_ERR__INVALID_ARG);      /* subscribed */
    ck_assert_int_eq(samsa_consumer_unsubscribe(c), SAMSA_OK);
    samsa_consumer_destroy(c);
    fb_stop(&fb);
}
END_TEST

Suite *
sm_test_suite_consumer(void)
{
    Suite *s = suite_create("consumer");
    TCase *tc = tcase_create("consumer");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, consumer__earliest_skips_and_headers);
    tcase_add_test(tc, consumer__out_of_range_none);
    tcase_add_test(tc, consumer__fetch_ahead_and_seek);
    tcase_add_test(tc, consumer__assign_topic_and_seek);
    tcase_add_test(tc, consumer__batch_interceptor_position_pause);
    tcase_add_test(tc, consumer__group_checks);
    suite_add_tcase(s, tc);
    return s;
}
