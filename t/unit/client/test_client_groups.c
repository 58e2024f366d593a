/* test_client_groups.c: client_groups.c - the consumer-group admin calls
 * against a scripted peer: the coordinator is looked up again after a
 * coordinator error, consumer-protocol assignments are decoded (and
 * garbled ones give none), commits go out as an outsider (generation -1,
 * empty member id), per-item errors come back, OffsetDelete's group
 * error reaches every partition. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "fake_broker.h"
#include "protocol/deletegroups.h"
#include "protocol/describegroups.h"
#include "protocol/findcoordinator.h"
#include "protocol/offsetcommit.h"
#include "protocol/offsetdelete.h"
#include "sm_test.h"

static samsa_client_t *
client_for(const fb_t *fb)
{
    samsa_conf_t *conf = samsa_conf_new();
    samsa_client_t *c;
    char errstr[256], servers[64];

    snprintf(servers, sizeof(servers), "127.0.0.1:%d", fb->port);
    samsa_conf_set(conf, "bootstrap.servers", servers, errstr,
                   sizeof(errstr));
    samsa_conf_set(conf, "default.api.timeout.ms", "5000", errstr,
                   sizeof(errstr));
    samsa_conf_set(conf, "retry.backoff.ms", "10", errstr, sizeof(errstr));
    c = samsa_client_new(conf, errstr, sizeof(errstr));
    ck_assert_msg(c != NULL, "%s", errstr);
    samsa_conf_destroy(conf);
    return c;
}

/* FindCoordinator: COORDINATOR_NOT_AVAILABLE the first time, then us. */
static int
find_coord(fb_t *fb, const sm_req_hdr_t *hdr, sm_buf_t *out)
{
    sm_FindCoordinatorResponse_t r;

    memset(&r, 0, sizeof(r));
    r.ErrorMessage = SM_STR_NULL;
    r.Host = sm_str_cstr("127.0.0.1");
    r.Port = fb->port;
    if (atomic_load(&fb->nreq[SM_API_FindCoordinator]) == 1) {
        r.ErrorCode = SM_ERR_COORDINATOR_NOT_AVAILABLE;
        r.NodeId = -1;
    }
    sm_FindCoordinatorResponse_write(out, hdr->ApiVersion, &r);
    return FB_ANSWER;
}

/* A ConsumerProtocol Assignment: v0, topics t:[2,0], a:[1], no user
 * data; truncated by cut bytes when cut > 0. */
static void
assignment(sm_buf_t *b, int cut)
{
    sm_wr_i16(b, 0);
    sm_wr_i32(b, 2);
    sm_wr_cstr(b, "t", 0);
    sm_wr_i32(b, 2);
    sm_wr_i32(b, 2);
    sm_wr_i32(b, 0);
    sm_wr_cstr(b, "a", 0);
    sm_wr_i32(b, 1);
    sm_wr_i32(b, 1);
    sm_wr_i32(b, -1);
    b->len -= (size_t)cut;
}

static int
groups_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
               sm_buf_t *out)
{
    sm_DescribeGroupsResponseMember_t m[2];
    sm_DescribeGroupsResponseGroup_t g;
    sm_DescribeGroupsResponse_t r;
    sm_buf_t a1 = SM_BUF_INIT, a2 = SM_BUF_INIT;

    if (hdr->ApiKey == SM_API_FindCoordinator)
        return find_coord(fb, hdr, out);
    if (hdr->ApiKey != SM_API_DescribeGroups)
        return fb_default(fb, hdr, body, out);
    assignment(&a1, 0);
    assignment(&a2, 5);
    memset(m, 0, sizeof(m));
    for (int i = 0; i < 2; i++) {
        m[i].MemberId = sm_str_cstr(i == 0 ? "m-1" : "m-2");
        m[i].GroupInstanceId = SM_STR_NULL;
        m[i].ClientId = sm_str_cstr("cli");
        m[i].ClientHost = sm_str_cstr("/127.0.0.1");
        m[i].MemberMetadata = (sm_bytes_t){ NULL, 0 };
    }
    m[0].MemberAssignment = (sm_bytes_t){ a1.data, (int32_t)a1.len };
    m[1].MemberAssignment = (sm_bytes_t){ a2.data, (int32_t)a2.len };
    memset(&g, 0, sizeof(g));
    g.GroupId = sm_str_cstr("g");
    g.GroupState = sm_str_cstr("Stable");
    g.ProtocolType = sm_str_cstr("consumer");
    g.ProtocolData = sm_str_cstr("range");
    g.MembersCnt = 2;
    g.Members = m;
    memset(&r, 0, sizeof(r));
    r.GroupsCnt = 1;
    r.Groups = &g;
    sm_DescribeGroupsResponse_write(out, hdr->ApiVersion, &r);
    sm_buf_fini(&a1);
    sm_buf_fini(&a2);
    return FB_ANSWER;
}

START_TEST(groups__describe_assignment)
{
    const char *want = "g";
    samsa_group_description_t *d = NULL;
    char *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, groups_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_describe_groups(c, &want, 1, &d, &errmsg),
                     SAMSA_OK);
    fb_stop(&fb);
    /* the first FindCoordinator failed and was asked again */
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_FindCoordinator]), 2);
    ck_assert_str_eq(d[0].state, "Stable");
    ck_assert_str_eq(d[0].protocol, "range");
    ck_assert_int_eq(d[0].coordinator.id, 0);
    ck_assert_int_eq(d[0].member_cnt, 2);
    ck_assert_str_eq(d[0].members[0].member_id, "m-1");
    ck_assert_int_eq(d[0].members[0].assignment_cnt, 3);
    /* sorted by topic, then partition */
    ck_assert_str_eq(d[0].members[0].assignment[0].topic, "a");
    ck_assert_int_eq(d[0].members[0].assignment[0].partition, 1);
    ck_assert_str_eq(d[0].members[0].assignment[1].topic, "t");
    ck_assert_int_eq(d[0].members[0].assignment[1].partition, 0);
    ck_assert_int_eq(d[0].members[0].assignment[2].partition, 2);
    /* a truncated assignment decodes to none */
    ck_assert_int_eq(d[0].members[1].assignment_cnt, 0);
    ck_assert_ptr_null(d[0].members[1].assignment);
    samsa_group_descriptions_free(d, 1);
    samsa_client_destroy(c);
}
END_TEST

static int
commit_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
               sm_buf_t *out)
{
    sm_OffsetCommitResponsePartition_t p[2];
    sm_OffsetCommitResponseTopic_t t;
    sm_OffsetCommitResponse_t r;
    sm_OffsetCommitRequest_t req;

    if (hdr->ApiKey == SM_API_FindCoordinator)
        return find_coord(fb, hdr, out);
    if (hdr->ApiKey != SM_API_OffsetCommit)
        return fb_default(fb, hdr, body, out);
    if (sm_OffsetCommitRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    memset(&r, 0, sizeof(r));
    memset(&t, 0, sizeof(t));
    t.Name = sm_str_cstr("t");
    t.PartitionsCnt = 2;
    t.Partitions = p;
    p[0].PartitionIndex = 0;
    p[0].ErrorCode = 0;
    p[1].PartitionIndex = 1;
    p[1].ErrorCode = SM_ERR_UNKNOWN_MEMBER_ID;
    r.TopicsCnt = 1;
    r.Topics = &t;
    sm_OffsetCommitResponse_write(out, hdr->ApiVersion, &r);
    sm_OffsetCommitRequest_free(&req);
    return FB_ANSWER;
}

START_TEST(groups__alter_offsets)
{
    samsa_partition_offset_t po[2];
    sm_OffsetCommitRequest_t req;
    char *errmsg = NULL;
    samsa_client_t *c;
    uint8_t *body;
    size_t len;
    sm_rd_t rd;
    fb_t fb;

    memset(po, 0, sizeof(po));
    po[0].topic = "t";
    po[0].partition = 0;
    po[0].offset = 7;
    po[1].topic = "t";
    po[1].partition = 1;
    po[1].offset = 9;
    ck_assert_int_eq(fb_start(&fb, 0, commit_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_alter_group_offsets(c, "g", po, 2, &errmsg),
                     SAMSA_OK);
    ck_assert_int_eq(po[0].err, SAMSA_OK);
    ck_assert_int_eq(po[1].err, SM_ERR_UNKNOWN_MEMBER_ID);
    body = fb_last_body(&fb, SM_API_OffsetCommit, &len);
    ck_assert_ptr_nonnull(body);
    sm_rd_init(&rd, body, len);
    ck_assert_int_eq(sm_OffsetCommitRequest_read(
                         &rd, (int16_t)atomic_load(
                                  &fb.last_version[SM_API_OffsetCommit]),
                         &req), SM_OK);
    ck_assert_int_eq(req.GenerationId, -1);
    ck_assert_int_eq(req.MemberId.len, 0);
    ck_assert_int_eq(req.TopicsCnt, 1);
    ck_assert_int_eq(req.Topics[0].PartitionsCnt, 2);
    ck_assert_int_eq(req.Topics[0].Partitions[1].CommittedOffset, 9);
    sm_OffsetCommitRequest_free(&req);
    free(body);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

static int
delete_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
               sm_buf_t *out)
{
    sm_DeleteGroupsResponseResult_t res;
    sm_DeleteGroupsResponse_t r;
    sm_DeleteGroupsRequest_t req;

    if (hdr->ApiKey == SM_API_FindCoordinator)
        return find_coord(fb, hdr, out);
    if (hdr->ApiKey != SM_API_DeleteGroups)
        return fb_default(fb, hdr, body, out);
    if (sm_DeleteGroupsRequest_read(body, hdr->ApiVersion, &req) != SM_OK ||
        req.GroupsNamesCnt != 1)
        return FB_CLOSE;
    res.GroupId = req.GroupsNames[0];
    res.ErrorCode = sm_str_eq_cstr(res.GroupId, "busy")
                    ? SM_ERR_NON_EMPTY_GROUP : 0;
    memset(&r, 0, sizeof(r));
    r.ResultsCnt = 1;
    r.Results = &res;
    sm_DeleteGroupsResponse_write(out, hdr->ApiVersion, &r);
    sm_DeleteGroupsRequest_free(&req);
    return FB_ANSWER;
}

START_TEST(groups__delete)
{
    const char *groups[] = { "idle", "busy" };
    samsa_result_t *res = NULL;
    char *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, delete_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_delete_groups(c, groups, 2, &res, &errmsg),
                     SAMSA_OK);
    fb_stop(&fb);
    ck_assert_str_eq(res[0].name, "idle");
    ck_assert_int_eq(res[0].err, SAMSA_OK);
    ck_assert_ptr_null(res[0].errmsg);
    ck_assert_int_eq(res[1].err, SM_ERR_NON_EMPTY_GROUP);
    ck_assert_str_eq(res[1].errmsg, "The group is not empty.");
    samsa_results_free(res, 2);
    samsa_client_destroy(c);
}
END_TEST

/* OffsetDelete: group "busy" is refused as a whole; else partition 1
 * is subscribed. */
static int
od_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    sm_OffsetDeleteResponsePartition_t p[2] = {
        { 0, 0 }, { 1, SM_ERR_GROUP_SUBSCRIBED_TO_TOPIC } };
    sm_OffsetDeleteResponseTopic_t t;
    sm_OffsetDeleteResponse_t r;
    sm_OffsetDeleteRequest_t req;

    if (hdr->ApiKey == SM_API_FindCoordinator)
        return find_coord(fb, hdr, out);
    if (hdr->ApiKey != SM_API_OffsetDelete)
        return fb_default(fb, hdr, body, out);
    if (sm_OffsetDeleteRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    memset(&r, 0, sizeof(r));
    t.Name = sm_str_cstr("t");
    t.PartitionsCnt = 2;
    t.Partitions = p;
    if (sm_str_eq_cstr(req.GroupId, "busy")) {
        r.ErrorCode = SM_ERR_NON_EMPTY_GROUP;
    } else {
        r.TopicsCnt = 1;
        r.Topics = &t;
    }
    sm_OffsetDeleteResponse_write(out, hdr->ApiVersion, &r);
    sm_OffsetDeleteRequest_free(&req);
    return FB_ANSWER;
}

START_TEST(groups__delete_offsets)
{
    samsa_partition_offset_t po[2];
    samsa_err_t top = -2;
    char *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    memset(po, 0, sizeof(po));
    po[0].topic = "t";
    po[1].topic = "t";
    po[1].partition = 1;
    ck_assert_int_eq(fb_start(&fb, 0, od_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_delete_group_offsets(c, "g", po, 2, &top,
                                                &errmsg), SAMSA_OK);
    ck_assert_int_eq(top, SAMSA_OK);
    ck_assert_int_eq(po[0].err, SAMSA_OK);
    ck_assert_int_eq(po[1].err, SM_ERR_GROUP_SUBSCRIBED_TO_TOPIC);
    ck_assert_int_eq(samsa_delete_group_offsets(c, "busy", po, 2, &top,
                                                &errmsg), SAMSA_OK);
    ck_assert_int_eq(top, SM_ERR_NON_EMPTY_GROUP);
    ck_assert_int_eq(po[0].err, SM_ERR_NON_EMPTY_GROUP);
    ck_assert_int_eq(po[1].err, SM_ERR_NON_EMPTY_GROUP);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

Suite *
sm_test_suite_client_groups(void)
{
    Suite *s = suite_create("client_groups");
    TCase *tc = tcase_create("groups");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, groups__describe_assignment);
    tcase_add_test(tc, groups__alter_offsets);
    tcase_add_test(tc, groups__delete);
    tcase_add_test(tc, groups__delete_offsets);
    suite_add_tcase(s, tc);
    return s;
}
