/*
 * test_client_elect.c: client_elect.c - samsa_elect_leaders against a
 * scripted peer: the request on the wire (grouped by topic, duplicates
 * dropped, null list for "all", ElectionType at v1), results and
 * messages, NOT_CONTROLLER partitions asked again, partitions the answer
 * leaves out, a top-level error, and UNCLEAN refused by a v0-only broker
 * without electing anything.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "fake_broker.h"
#include "protocol/apiversions.h"
#include "protocol/electleaders.h"
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

/* What the scripted controller answers (fb->arg). */
typedef struct el_script {
    int16_t top_error;          /* the v1 top-level ErrorCode */
    int v0_only;                /* advertise ElectLeaders 0-0 */
} el_script_t;

/* First request: moved-0 NOT_CONTROLLER, t-0 not needed, t-1 elected,
 * lost-0 left out; later ones: everything elected. */
static void
el_answer(fb_t *fb, const sm_req_hdr_t *hdr,
          const sm_ElectLeadersRequest_t *req, sm_buf_t *out)
{
    const el_script_t *sc = fb->arg;
    int first = atomic_load(&fb->nreq[SM_API_ElectLeaders]) == 1;
    sm_ElectLeadersResult_t res[8];
    sm_ElectLeadersPartitionResult_t pr[8][8];
    sm_ElectLeadersResponse_t resp;

    memset(&resp, 0, sizeof(resp));
    memset(res, 0, sizeof(res));
    memset(pr, 0, sizeof(pr));
    resp.ErrorCode = sc->top_error;
    resp.ReplicaElectionResults = res;
    for (int32_t i = 0; i < req->TopicPartitionsCnt && i < 8; i++) {
        const sm_ElectLeadersTopic_t *t = &req->TopicPartitions[i];
        sm_ElectLeadersResult_t *r;
        if (sm_str_eq_cstr(t->Topic, "lost"))
            continue;
        r = &res[resp.ReplicaElectionResultsCnt++];
        r->Topic = t->Topic;
        r->PartitionResult = pr[i];
        for (int32_t j = 0; j < t->PartitionsCnt && j < 8; j++) {
            sm_ElectLeadersPartitionResult_t *p = &pr[i][j];
            p->PartitionId = t->Partitions[j];
            p->ErrorMessage = SM_STR_NULL;
            if (first && sm_str_eq_cstr(t->Topic, "moved"))
                p->ErrorCode = SM_ERR_NOT_CONTROLLER;
            else if (first && t->Partitions[j] == 0)
                p->ErrorCode = SM_ERR_ELECTION_NOT_NEEDED;
            r->PartitionResultCnt++;
        }
    }
    sm_ElectLeadersResponse_write(out, hdr->ApiVersion, &resp);
}

static int
el_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    const el_script_t *sc = fb->arg;
    sm_ElectLeadersRequest_t req;

    if (hdr->ApiKey == SM_API_ApiVersions && sc->v0_only &&
        hdr->ApiVersion <= SM_APIVERSIONS_MAX_VERSION) {
        sm_ApiVersionsResponse_t av;
        sm_ApiVersionsResponse_from_table(&av);
        for (int32_t i = 0; i < av.ApiKeysCnt; i++)
            if (av.ApiKeys[i].ApiKey == SM_API_ElectLeaders)
                av.ApiKeys[i].MaxVersion = 0;
        sm_ApiVersionsResponse_write(out, hdr->ApiVersion, &av);
        sm_ApiVersionsResponse_free(&av);
        return FB_ANSWER;
    }
    if (hdr->ApiKey != SM_API_ElectLeaders)
        return fb_default(fb, hdr, body, out);
    if (sm_ElectLeadersRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    el_answer(fb, hdr, &req, out);
    sm_ElectLeadersRequest_free(&req);
    return FB_ANSWER;
}

/* The last ElectLeaders request the fake got (caller frees req and
 * *frame); before fb_stop, which frees the kept bodies. */
static void
last_request(fb_t *fb, sm_ElectLeadersRequest_t *req, uint8_t **frame)
{
    size_t len;
    sm_rd_t rd;

    *frame = fb_last_body(fb, SM_API_ElectLeaders, &len);
    ck_assert_ptr_nonnull(*frame);
    sm_rd_init(&rd, *frame, len);
    ck_assert_int_eq(sm_ElectLeadersRequest_read(
                         &rd, (int16_t)atomic_load(
                             &fb->last_version[SM_API_ElectLeaders]), req),
                     SM_OK);
}

static const samsa_election_result_t *
find(const samsa_election_result_t *r, int n, const char *topic, int32_t p)
{
    for (int i = 0; i < n; i++)
        if (strcmp(r[i].topic, topic) == 0 && r[i].partition == p)
            return &r[i];
    ck_abort_msg("no result for %s-%d", topic, (int)p);
    return NULL;
}

START_TEST(client_elect__list_results_and_retry)
{
    static const samsa_topic_partition_t tps[] = {
        { "t", 0 }, { "moved", 0 }, { "t", 1 }, { "lost", 0 }, { "t", 1 },
    };
    el_script_t sc = { 0, 0 };
    samsa_election_result_t *res = NULL;
    sm_ElectLeadersRequest_t req;
    char *errmsg = NULL;
    samsa_client_t *c;
    uint8_t *frame;
    int n = -1;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, el_handler, &sc), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_elect_leaders(c, SAMSA_ELECTION_UNCLEAN, tps, 5,
                                         &res, &n, &errmsg), SAMSA_OK);
    ck_assert_ptr_null(errmsg);
    ck_assert_int_eq(n, 4);                 /* t-1 asked twice: one result */
    ck_assert_int_eq(find(res, n, "t", 0)->err, SM_ERR_ELECTION_NOT_NEEDED);
    ck_assert_str_eq(find(res, n, "t", 0)->errmsg,
                     "Leader election not needed for topic partition.");
    ck_assert_int_eq(find(res, n, "t", 1)->err, SAMSA_OK);
    ck_assert_ptr_null(find(res, n, "t", 1)->errmsg);
    ck_assert_int_eq(find(res, n, "moved", 0)->err, SAMSA_OK);
    ck_assert_int_eq(find(res, n, "lost", 0)->err,
                     SM_ERR_UNKNOWN_SERVER_ERROR);
    /* two rounds; the second asked for moved-0 only, as UNCLEAN at v1 */
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_ElectLeaders]), 2);
    last_request(&fb, &req, &frame);
    fb_stop(&fb);
    ck_assert_int_eq(atomic_load(&fb.last_version[SM_API_ElectLeaders]), 1);
    ck_assert_int_eq(req.ElectionType, SM_ELECTION_UNCLEAN);
    ck_assert_int_eq(req.TopicPartitionsCnt, 1);
    ck_assert(sm_str_eq_cstr(req.TopicPartitions[0].Topic, "moved"));
    ck_assert_int_eq(req.TopicPartitions[0].PartitionsCnt, 1);
    ck_assert_int_eq(req.TimeoutMs, 30000);
    sm_ElectLeadersRequest_free(&req);
    free(frame);
    samsa_election_results_free(res, n);
    samsa_client_destroy(c);
}
END_TEST

START_TEST(client_elect__all_partitions_grouping)
{
    static const samsa_topic_partition_t tps[] = {
        { "a", 2 }, { "b", 0 }, { "a", 1 }, { "a", 2 },
    };
    el_script_t sc = { 0, 0 };
    samsa_election_result_t *res = NULL;
    sm_ElectLeadersRequest_t req;
    samsa_client_t *c;
    uint8_t *frame;
    int n = -1;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, el_handler, &sc), 0);
    c = client_for(&fb);
    /* a null list goes out as a null array; nothing comes back */
    ck_assert_int_eq(samsa_elect_leaders(c, SAMSA_ELECTION_PREFERRED, NULL,
                                         0, &res, &n, NULL), SAMSA_OK);
    ck_assert_int_eq(n, 0);
    samsa_election_results_free(res, n);
    last_request(&fb, &req, &frame);
    ck_assert_int_eq(req.TopicPartitionsCnt, -1);
    ck_assert_int_eq(req.ElectionType, SM_ELECTION_PREFERRED);
    sm_ElectLeadersRequest_free(&req);
    free(frame);
    /* grouped by topic in first-seen order, duplicates dropped */
    ck_assert_int_eq(samsa_elect_leaders(c, SAMSA_ELECTION_PREFERRED, tps,
                                         4, &res, &n, NULL), SAMSA_OK);
    ck_assert_int_eq(n, 3);
    samsa_election_results_free(res, n);
    last_request(&fb, &req, &frame);
    fb_stop(&fb);
    ck_assert_int_eq(req.TopicPartitionsCnt, 2);
    ck_assert(sm_str_eq_cstr(req.TopicPartitions[0].Topic, "a"));
    ck_assert_int_eq(req.TopicPartitions[0].PartitionsCnt, 2);
    ck_assert_int_eq(req.TopicPartitions[0].Partitions[0], 2);
    ck_assert_int_eq(req.TopicPartitions[0].Partitions[1], 1);
    ck_assert(sm_str_eq_cstr(req.TopicPartitions[1].Topic, "b"));
    sm_ElectLeadersRequest_free(&req);
    free(frame);
    samsa_client_destroy(c);
}
END_TEST

START_TEST(client_elect__errors)
{
    static const samsa_topic_partition_t tp[] = { { "t", 1 } };
    el_script_t sc = { SM_ERR_CLUSTER_AUTHORIZATION_FAILED, 0 };
    samsa_election_result_t *res = NULL;
    sm_ElectLeadersRequest_t req;
    char *errmsg = NULL;
    samsa_client_t *c;
    uint8_t *frame;
    int n = -1;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, el_handler, &sc), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_elect_leaders(c, SAMSA_ELECTION_PREFERRED, tp, 1,
                                         &res, &n, &errmsg),
                     SM_ERR_CLUSTER_AUTHORIZATION_FAILED);
    ck_assert_ptr_null(res);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_nonnull(errmsg);
    free(errmsg);
    ck_assert_int_eq(samsa_elect_leaders(c, 7, tp, 1, &res, &n, &errmsg),
                     SM_ERR__INVALID_ARG);
    free(errmsg);
    samsa_client_destroy(c);
    fb_stop(&fb);

    /* a v0-only controller: UNCLEAN is refused, and what went out (v0,
     * so PREFERRED) named no partition */
    sc.top_error = 0;
    sc.v0_only = 1;
    ck_assert_int_eq(fb_start(&fb, 0, el_handler, &sc), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_elect_leaders(c, SAMSA_ELECTION_UNCLEAN, tp, 1,
                                         &res, &n, &errmsg),
                     SM_ERR_UNSUPPORTED_VERSION);
    ck_assert_ptr_nonnull(strstr(errmsg, "UNCLEAN"));
    free(errmsg);
    last_request(&fb, &req, &frame);
    fb_stop(&fb);
    ck_assert_int_eq(atomic_load(&fb.last_version[SM_API_ElectLeaders]), 0);
    ck_assert_int_eq(req.TopicPartitionsCnt, 0);
    sm_ElectLeadersRequest_free(&req);
    free(frame);
    samsa_client_destroy(c);
}
END_TEST

Suite *
sm_test_suite_client_elect(void)
{
    Suite *s = suite_create("client_elect");
    TCase *tc = tcase_create("client_elect");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, client_elect__list_results_and_retry);
    tcase_add_test(tc, client_elect__all_partitions_grouping);
    tcase_add_test(tc, client_elect__errors);
    suite_add_tcase(s, tc);
    return s;
}
