/*
 * test_controlledshutdown.c: the ControlledShutdown codec
 * (protocol/controlledshutdown.c), v0-2, both directions: round trip at
 * every version, known bytes (and the v0 request header without ClientId),
 * truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/controlledshutdown.h"

static void
cs_req_eq(const sm_ControlledShutdownRequest_t *a,
          const sm_ControlledShutdownRequest_t *b)
{
    SM_MSG_TEST_EQ(a, b, BrokerId);
    SM_MSG_TEST_EQ(a, b, BrokerEpoch);
}

static void
cs_rp_eq(const sm_RemainingPartition_t *a, const sm_RemainingPartition_t *b)
{
    SM_MSG_TEST_STR(a, b, TopicName);
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
}

static void
cs_resp_eq(const sm_ControlledShutdownResponse_t *a,
           const sm_ControlledShutdownResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_ARRAY(a, b, RemainingPartitions, cs_rp_eq);
}

START_TEST(controlledshutdown__round_trip_every_version)
{
    sm_RemainingPartition_t rp[2] = { { SM_S("alpha"), 3 },
                                      { SM_S("b"), 0 } };

    for (int16_t v = 0; v <= SM_CONTROLLEDSHUTDOWN_MAX_VERSION; v++) {
        sm_ControlledShutdownRequest_t req = { v, 4, v >= 2 ? 1234 : -1 };
        sm_ControlledShutdownResponse_t resp = { v, 0, 2, rp };

        SM_MSG_TEST_ROUND_TRIP(ControlledShutdownRequest, v, &req,
                               cs_req_eq);
        SM_MSG_TEST_ROUND_TRIP(ControlledShutdownResponse, v, &resp,
                               cs_resp_eq);
    }
}
END_TEST

START_TEST(controlledshutdown__known_bytes)
{
    static const uint8_t v2_req[] = { 0, 0, 0, 3,  0, 0, 0, 0, 0, 0, 0, 16 };
    static const uint8_t v1_req[] = { 0, 0, 0, 3 };
    static const uint8_t v0_resp[] = { 0, 41,  0, 0, 0, 1,  0, 1, 't',
                                       0, 0, 0, 2 };
    /* v0 header: key 7, version 0, correlation id 5, no ClientId */
    static const uint8_t v0_hdr[] = { 0, 7,  0, 0,  0, 0, 0, 5 };
    sm_ControlledShutdownRequest_t req = { 2, 3, 16 };
    sm_RemainingPartition_t rp = { SM_S("t"), 2 };
    sm_ControlledShutdownResponse_t resp = { 0, SM_ERR_NOT_CONTROLLER, 1,
                                             &rp };
    sm_buf_t buf = SM_BUF_INIT;
    sm_req_hdr_t hdr;
    sm_rd_t rd;

    SM_MSG_TEST_BYTES_EQ(ControlledShutdownRequest, 2, &req, v2_req);
    SM_MSG_TEST_BYTES_EQ(ControlledShutdownRequest, 1, &req, v1_req);
    SM_MSG_TEST_BYTES_EQ(ControlledShutdownResponse, 0, &resp, v0_resp);
    sm_req_hdr_write(&buf, 7, 0, 5, "ignored");
    ck_assert_uint_eq(buf.len, sizeof(v0_hdr));
    ck_assert_mem_eq(buf.data, v0_hdr, sizeof(v0_hdr));
    sm_rd_init(&rd, buf.data, buf.len);
    ck_assert_int_eq(sm_req_hdr_read(&rd, &hdr), SM_OK);
    ck_assert_int_eq(hdr.hdr_version, 0);
    ck_assert_int_eq(hdr.CorrelationId, 5);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(controlledshutdown__hostile_counts)
{
    static const uint8_t parts[] = { 0, 0,  0x40, 0, 0, 0,  0, 1, 't' };
    static const uint8_t null_parts[] = { 0, 0,  0xff, 0xff, 0xff, 0xff };
    static const uint8_t req[] = { 0, 0, 0, 3 };

    SM_MSG_TEST_REJECT(ControlledShutdownResponse, 1, parts,
                       SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ControlledShutdownResponse, 2, null_parts,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(ControlledShutdownRequest, 2, req, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ControlledShutdownRequest,
                       SM_CONTROLLEDSHUTDOWN_MAX_VERSION + 1, req,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_controlledshutdown(void)
{
    Suite *s = suite_create("controlledshutdown");
    TCase *tc = tcase_create("controlledshutdown");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, controlledshutdown__round_trip_every_version);
    tcase_add_test(tc, controlledshutdown__known_bytes);
    tcase_add_test(tc, controlledshutdown__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
