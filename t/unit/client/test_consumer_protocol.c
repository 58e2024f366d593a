/* test_consumer_protocol.c: consumer_protocol.c - Subscription and
 * Assignment against byte vectors laid out as Java's ConsumerProtocol
 * writes them, round trips, later versions (OwnedPartitions, GenerationId,
 * RackId), the sticky user data v0/v1, and truncated or hostile bytes. */
#include <string.h>

#include "client/assignor.h"
#include "common/sm_mem.h"
#include "sm_test.h"

static sm_bytes_t
cp_bytes(const void *p, size_t n)
{
    sm_bytes_t b = { (const uint8_t *)p, (int32_t)n };
    return b;
}

/* Java, ConsumerProtocol v0: topics ["foo", "bar"], userData "hello". */
static const uint8_t cp_java_sub_v0[] = {
    0x00, 0x00,                                     /* Version 0 */
    0x00, 0x00, 0x00, 0x02,                         /* Topics: 2 */
    0x00, 0x03, 'f', 'o', 'o',
    0x00, 0x03, 'b', 'a', 'r',
    0x00, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o',/* UserData */
};

/* Java, Assignment v0: foo [0, 1], bar [2], null UserData. */
static const uint8_t cp_java_asg_v0[] = {
    0x00, 0x00,                                     /* Version 0 */
    0x00, 0x00, 0x00, 0x02,                         /* 2 topics */
    0x00, 0x03, 'b', 'a', 'r',
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x03, 'f', 'o', 'o',
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0xff, 0xff, 0xff, 0xff,                         /* UserData null */
};

START_TEST(consumer_protocol__java_subscription_v0)
{
    sm_asg_member_t m;
    sm_buf_t buf = SM_BUF_INIT;
    char *topics[] = { "foo", "bar" };

    memset(&m, 0, sizeof(m));
    ck_assert_int_eq(sm_cproto_subscription_read(
                         cp_bytes(cp_java_sub_v0, sizeof(cp_java_sub_v0)),
                         &m), SM_OK);
    ck_assert_int_eq(m.ntopics, 2);
    ck_assert_str_eq(m.topics[0], "foo");
    ck_assert_str_eq(m.topics[1], "bar");
    /* "hello" is not sticky user data: ignored */
    ck_assert_int_eq(m.nowned, 0);
    ck_assert_int_eq(m.generation, -1);
    sm_asg_member_fini(&m);

    /* and we write the same bytes */
    sm_cproto_subscription_write(&buf, topics, 2,
                                 cp_bytes("hello", 5));
    ck_assert_uint_eq(buf.len, sizeof(cp_java_sub_v0));
    ck_assert(memcmp(buf.data, cp_java_sub_v0, buf.len) == 0);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(consumer_protocol__subscription_round_trip_null_user_data)
{
    char *topics[] = { "a", "topic-b", "c" };
    sm_buf_t buf = SM_BUF_INIT;
    sm_asg_member_t m;

    memset(&m, 0, sizeof(m));
    sm_cproto_subscription_write(&buf, topics, 3, SM_BYTES_NULL);
    /* 2 + 4 + (2+1) + (2+7) + (2+1) + 4 (null) */
    ck_assert_uint_eq(buf.len, 25);
    ck_assert(memcmp(buf.data + 21, "\xff\xff\xff\xff", 4) == 0);
    ck_assert_int_eq(sm_cproto_subscription_read(
                         cp_bytes(buf.data, buf.len), &m), SM_OK);
    ck_assert_int_eq(m.ntopics, 3);
    ck_assert_str_eq(m.topics[1], "topic-b");
    ck_assert_int_eq(m.nowned, 0);
    sm_asg_member_fini(&m);
    sm_buf_fini(&buf);
}
END_TEST

/* The sticky user data (v1, from the assignor) travels and decodes. */
START_TEST(consumer_protocol__sticky_user_data_v1_round_trip)
{
    const sm_assignor_t *asg = sm_assignor_find("sticky");
    samsa_topic_partition_t owned[] = {
        { "t2", 0 }, { "t1", 3 }, { "t1", 1 },
    };
    char *topics[] = { "t1", "t2" };
    sm_buf_t ud = SM_BUF_INIT, buf = SM_BUF_INIT;
    sm_asg_member_t m;

    memset(&m, 0, sizeof(m));
    ck_assert_ptr_nonnull(asg);
    ck_assert_ptr_nonnull(asg->user_data);
    asg->user_data(owned, 3, 7, &ud);
    /* [t1 [1, 3], t2 [0]] then generation 7 */
    ck_assert_uint_eq(ud.len, 4 + (2 + 2 + 4 + 8) + (2 + 2 + 4 + 4) + 4);
    sm_cproto_subscription_write(&buf, topics, 2,
                                 cp_bytes(ud.data, ud.len));
    ck_assert_int_eq(sm_cproto_subscription_read(
                         cp_bytes(buf.data, buf.len), &m), SM_OK);
    ck_assert_int_eq(m.generation, 7);
    ck_assert_int_eq(m.nowned, 3);
    ck_assert_str_eq(m.owned[0].topic, "t1");
    ck_assert_int_eq(m.owned[0].partition, 1);
    ck_assert_str_eq(m.owned[1].topic, "t1");
    ck_assert_int_eq(m.owned[1].partition, 3);
    ck_assert_str_eq(m.owned[2].topic, "t2");
    ck_assert_int_eq(m.owned[2].partition, 0);
    sm_asg_member_fini(&m);
    sm_buf_reset(&ud);
    /* never assigned: nothing written (the caller sends null) */
    asg->user_data(NULL, 0, -1, &ud);
    ck_assert_uint_eq(ud.len, 0);
    sm_buf_fini(&ud);
    sm_buf_fini(&buf);
}
END_TEST

/* Sticky user data v0 (no generation), built as Java's 2.0 writer did. */
START_TEST(consumer_protocol__sticky_user_data_v0)
{
    static const uint8_t sub[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',
        0x00, 0x00, 0x00, 0x13,                     /* UserData: 19 */
        0x00, 0x00, 0x00, 0x01,                     /* 1 topic */
        0x00, 0x01, 't',
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05,
        0x00, 0x00, 0x00, 0x02,
    };
    sm_asg_member_t m;

    memset(&m, 0, sizeof(m));
    ck_assert_int_eq(sm_cproto_subscription_read(cp_bytes(sub, sizeof(sub)),
                                                 &m), SM_OK);
    ck_assert_int_eq(m.generation, -1);
    ck_assert_int_eq(m.nowned, 2);
    ck_assert_int_eq(m.owned[0].partition, 2);      /* sorted */
    ck_assert_int_eq(m.owned[1].partition, 5);
    sm_asg_member_fini(&m);
}
END_TEST

/* v1 adds OwnedPartitions after UserData; v2 GenerationId; v3 RackId and
 * anything later is ignored. */
START_TEST(consumer_protocol__subscription_v1_v3_owned_partitions)
{
    static const uint8_t v1[] = {
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 'f', 'o', 'o',
        0xff, 0xff, 0xff, 0xff,                     /* UserData null */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 'f', 'o', 'o',
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04,
        0x00, 0x00, 0x00, 0x01,
    };
    static const uint8_t v3[] = {
        0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 'f', 'o', 'o',
        0x00, 0x00, 0x00, 0x00,                     /* UserData empty */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 'f', 'o', 'o',
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09,
        0x00, 0x00, 0x00, 0x0c,                     /* GenerationId 12 */
        0x00, 0x02, 'r', '1',                       /* RackId */
        0xde, 0xad,                                 /* a future field */
    };
    sm_asg_member_t m;

    memset(&m, 0, sizeof(m));
    ck_assert_int_eq(sm_cproto_subscription_read(cp_bytes(v1, sizeof(v1)),
                                                 &m), SM_OK);
    ck_assert_int_eq(m.ntopics, 1);
    ck_assert_int_eq(m.nowned, 2);
    ck_assert_str_eq(m.owned[0].topic, "foo");
    ck_assert_int_eq(m.owned[0].partition, 1);
    ck_assert_int_eq(m.owned[1].partition, 4);
    ck_assert_int_eq(m.generation, -1);
    sm_asg_member_fini(&m);

    ck_assert_int_eq(sm_cproto_subscription_read(cp_bytes(v3, sizeof(v3)),
                                                 &m), SM_OK);
    ck_assert_int_eq(m.nowned, 1);
    ck_assert_int_eq(m.owned[0].partition, 9);
    ck_assert_int_eq(m.generation, 12);
    sm_asg_member_fini(&m);

    /* a bare int32 user data (cooperative-sticky's generation) is not
     * sticky's record: OwnedPartitions stand */
    {
        uint8_t v[sizeof(v1) + 4];
        memcpy(v, v1, 11);
        memcpy(v + 11, "\x00\x00\x00\x04\x00\x00\x00\x00", 8);
        memcpy(v + 19, v1 + 15, sizeof(v1) - 15);
        ck_assert_int_eq(sm_cproto_subscription_read(cp_bytes(v, sizeof(v)),
                                                     &m), SM_OK);
        ck_assert_int_eq(m.nowned, 2);
        ck_assert_int_eq(m.owned[1].partition, 4);
        sm_asg_member_fini(&m);
    }

    /* a v1 header whose bytes end after UserData: OwnedPartitions absent */
    ck_assert_int_eq(sm_cproto_subscription_read(cp_bytes(v1, 15), &m),
                     SM_OK);
    ck_assert_int_eq(m.ntopics, 1);
    ck_assert_int_eq(m.nowned, 0);
    sm_asg_member_fini(&m);
}
END_TEST

/* Every strict prefix of a v0 Subscription is _BAD_MSG and leaves
 * nothing allocated (LeakSanitizer checks the latter). */
START_TEST(consumer_protocol__subscription_truncated)
{
    sm_asg_member_t m;

    for (size_t n = 0; n < sizeof(cp_java_sub_v0); n++) {
        memset(&m, 0, sizeof(m));
        ck_assert_int_eq(sm_cproto_subscription_read(
                             cp_bytes(cp_java_sub_v0, n), &m),
                         SM_ERR__BAD_MSG);
        ck_assert_ptr_null(m.topics);
        ck_assert_int_eq(m.ntopics, 0);
        sm_asg_member_fini(&m);
    }
}
END_TEST

START_TEST(consumer_protocol__subscription_garbage)
{
    static const uint8_t neg_version[] = {
        0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
    };
    static const uint8_t huge_topics[] = {
        0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x01, 'a',
    };
    static const uint8_t null_topic[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff,
    };
    static const uint8_t nul_in_name[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 'a', 0x00,
        0xff, 0xff, 0xff, 0xff,
    };
    static const uint8_t huge_owned[] = {
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'a', 0x40, 0x00, 0x00, 0x00,
    };
    const struct { const uint8_t *p; size_t n; } v[] = {
        { neg_version, sizeof(neg_version) },
        { huge_topics, sizeof(huge_topics) },
        { null_topic, sizeof(null_topic) },
        { nul_in_name, sizeof(nul_in_name) },
        { huge_owned, sizeof(huge_owned) },
    };
    sm_asg_member_t m;

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        memset(&m, 0, sizeof(m));
        ck_assert_int_eq(sm_cproto_subscription_read(cp_bytes(v[i].p,
                                                              v[i].n), &m),
                         SM_ERR__BAD_MSG);
        ck_assert_int_eq(m.ntopics, 0);
        sm_asg_member_fini(&m);
    }
    /* sticky-looking user data that does not parse is ignored, not fatal */
    {
        static const uint8_t bad_ud[] = {
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x04, 0x7f, 0xff, 0xff, 0xff,
        };
        memset(&m, 0, sizeof(m));
        ck_assert_int_eq(sm_cproto_subscription_read(
                             cp_bytes(bad_ud, sizeof(bad_ud)), &m), SM_OK);
        ck_assert_int_eq(m.nowned, 0);
        ck_assert_int_eq(m.generation, -1);
        sm_asg_member_fini(&m);
    }
}
END_TEST

START_TEST(consumer_protocol__java_assignment_v0)
{
    samsa_topic_partition_t *tps = NULL;
    samsa_topic_partition_t in[] = { { "bar", 2 }, { "foo", 0 },
                                     { "foo", 1 } };
    sm_buf_t buf = SM_BUF_INIT;
    int n = -1;

    ck_assert_int_eq(sm_cproto_assignment_read(
                         cp_bytes(cp_java_asg_v0, sizeof(cp_java_asg_v0)),
                         &tps, &n), SM_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(tps[0].topic, "bar");
    ck_assert_int_eq(tps[0].partition, 2);
    ck_assert_str_eq(tps[1].topic, "foo");
    ck_assert_int_eq(tps[1].partition, 0);
    ck_assert_str_eq(tps[2].topic, "foo");
    ck_assert_int_eq(tps[2].partition, 1);
    samsa_topic_partitions_free(tps, n);

    sm_cproto_assignment_write(&buf, in, 3);
    ck_assert_uint_eq(buf.len, sizeof(cp_java_asg_v0));
    ck_assert(memcmp(buf.data, cp_java_asg_v0, buf.len) == 0);
    sm_buf_fini(&buf);

    /* empty bytes: an empty assignment */
    ck_assert_int_eq(sm_cproto_assignment_read(SM_BYTES_NULL, &tps, &n),
                     SM_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_null(tps);
    samsa_topic_partitions_free(NULL, 0);
}
END_TEST

START_TEST(consumer_protocol__assignment_round_trip_empty)
{
    samsa_topic_partition_t *tps = NULL;
    sm_buf_t buf = SM_BUF_INIT;
    int n = -1;

    sm_cproto_assignment_write(&buf, NULL, 0);
    ck_assert_uint_eq(buf.len, 2 + 4 + 4);
    ck_assert_int_eq(sm_cproto_assignment_read(cp_bytes(buf.data, buf.len),
                                               &tps, &n), SM_OK);
    ck_assert_int_eq(n, 0);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(consumer_protocol__assignment_truncated_and_garbage)
{
    static const uint8_t neg_part[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'a',
        0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xfe,
    };
    static const uint8_t huge_parts[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'a',
        0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
    };
    static const uint8_t huge_topics[] = {
        0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 'a',
    };
    const struct { const uint8_t *p; size_t n; } v[] = {
        { neg_part, sizeof(neg_part) },
        { huge_parts, sizeof(huge_parts) },
        { huge_topics, sizeof(huge_topics) },
        { (const uint8_t *)"\xff\xff", 2 },
    };
    samsa_topic_partition_t *tps;
    int n;

    /* every strict prefix but the one that stops before UserData (older
     * writers omitted it) is _BAD_MSG */
    for (size_t len = 1; len < sizeof(cp_java_asg_v0); len++) {
        sm_err_t want = len == sizeof(cp_java_asg_v0) - 4 ? SM_OK
                                                         : SM_ERR__BAD_MSG;
        tps = (samsa_topic_partition_t *)1;
        ck_assert_int_eq(sm_cproto_assignment_read(
                             cp_bytes(cp_java_asg_v0, len), &tps, &n), want);
        if (want != SM_OK) {
            ck_assert_ptr_null(tps);
            ck_assert_int_eq(n, 0);
        }
        samsa_topic_partitions_free(tps, n);
    }
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        ck_assert_int_eq(sm_cproto_assignment_read(cp_bytes(v[i].p, v[i].n),
                                                   &tps, &n),
                         SM_ERR__BAD_MSG);
        ck_assert_ptr_null(tps);
    }
}
END_TEST

Suite *
sm_test_suite_consumer_protocol(void)
{
    Suite *s = suite_create("consumer_protocol");
    TCase *tc = tcase_create("consumer_protocol");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, consumer_protocol__java_subscription_v0);
    tcase_add_test(tc,
                   consumer_protocol__subscription_round_trip_null_user_data);
    tcase_add_test(tc, consumer_protocol__sticky_user_data_v1_round_trip);
    tcase_add_test(tc, consumer_protocol__sticky_user_data_v0);
    tcase_add_test(tc, consumer_protocol__subscription_v1_v3_owned_partitions);
    tcase_add_test(tc, consumer_protocol__subscription_truncated);
    tcase_add_test(tc, consumer_protocol__subscription_garbage);
    tcase_add_test(tc, consumer_protocol__java_assignment_v0);
    tcase_add_test(tc, consumer_protocol__assignment_round_trip_empty);
    tcase_add_test(tc,
                   consumer_protocol__assignment_truncated_and_garbage);
    suite_add_tcase(s, tc);
    return s;
}
