/* test_client.c: client.c - configuration keys, bootstrap parsing and
 * fallback, deadlines, reconnects and the controller's metadata refresh,
 * against scripted peers (fake_broker.h). */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "common/sm_time.h"
#include "fake_broker.h"
#include "sm_test.h"

START_TEST(client__conf_keys)
{
    samsa_conf_t *conf = samsa_conf_new();
    char errstr[256];

    ck_assert_int_eq(conf->c.request_timeout_ms, 30000);
    ck_assert_int_eq(conf->c.api_timeout_ms, 60000);
    ck_assert_int_eq(samsa_conf_set(conf, "request.timeout.ms", " 1500 ",
                                    errstr, sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(conf->c.request_timeout_ms, 1500);
    ck_assert_int_eq(samsa_conf_set(conf, "client.id", "tool", errstr,
                                    sizeof(errstr)), SAMSA_OK);
    ck_assert_str_eq(conf->c.client_id, "tool");
    ck_assert_int_eq(samsa_conf_set(conf, "retry.backoff.ms", "abc", errstr,
                                    sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_str_eq(errstr, "Invalid value abc for configuration "
                     "retry.backoff.ms: Not a number of type INT");
    ck_assert_int_eq(samsa_conf_set(conf, "default.api.timeout.ms", "-1",
                                    errstr, sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_int_eq(samsa_conf_set(conf, "linger.msec", "5", errstr,
                                    sizeof(errstr)), SM_ERR__CONFIG);
    ck_assert_str_eq(errstr, "The configuration 'linger.msec' was supplied "
                     "but isn't a known config.");
    ck_assert_int_eq(samsa_conf_set(conf, "security.protocol", "plaintext",
                                    errstr, sizeof(errstr)), SAMSA_OK);
    ck_assert_int_eq(samsa_conf_set(conf, "security.protocol", "SSL",
                                    errstr, sizeof(errstr)), SM_ERR__CONFIG);
    samsa_conf_destroy(conf);
}
END_TEST

START_TEST(client__new_errors)
{
    samsa_conf_t *conf = samsa_conf_new();
    char errstr[256];

    ck_assert_ptr_null(samsa_client_new(conf, errstr, sizeof(errstr)));
    ck_assert_str_eq(errstr, "Missing required configuration "
                     "\"bootstrap.servers\" which has no default value.");
    samsa_conf_set(conf, "bootstrap.servers", "127.0.0.1:1,nohost", errstr,
                   sizeof(errstr));
    ck_assert_ptr_null(samsa_client_new(conf, errstr, sizeof(errstr)));
    ck_assert_str_eq(errstr, "Invalid url in bootstrap.servers: nohost");
    samsa_conf_set(conf, "bootstrap.servers", " , ", errstr,
                   sizeof(errstr));
    ck_assert_ptr_null(samsa_client_new(conf, errstr, sizeof(errstr)));
    ck_assert_str_eq(errstr, "No resolvable bootstrap urls given in "
                     "bootstrap.servers");
    samsa_conf_destroy(conf);
}
END_TEST

static samsa_client_t *
client_for(const char *servers, int api_timeout_ms)
{
    samsa_conf_t *conf = samsa_conf_new();
    samsa_client_t *c;
    char errstr[256], v[32];

    snprintf(v, sizeof(v), "%d", api_timeout_ms);
    ck_assert_int_eq(samsa_conf_set(conf, "bootstrap.servers", servers,
                                    errstr, sizeof(errstr)), SAMSA_OK);
    samsa_conf_set(conf, "default.api.timeout.ms", v, errstr,
                   sizeof(errstr));
    samsa_conf_set(conf, "retry.backoff.ms", "20", errstr, sizeof(errstr));
    c = samsa_client_new(conf, errstr, sizeof(errstr));
    ck_assert_msg(c != NULL, "%s", errstr);
    samsa_conf_destroy(conf);
    return c;
}

START_TEST(client__bootstrap_fallback)
{
    samsa_metadata_t *md = NULL;
    char servers[128], *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, NULL, NULL), 0);
    snprintf(servers, sizeof(servers), "127.0.0.1:%d, 127.0.0.1:%d",
             fb_closed_port(), fb.port);
    c = client_for(servers, 5000);
    ck_assert_int_eq(samsa_describe_cluster(c, &md, &errmsg), SAMSA_OK);
    ck_assert_ptr_null(errmsg);
    ck_assert_int_eq(md->broker_cnt, 1);
    ck_assert_int_eq(md->brokers[0].id, 0);
    ck_assert_int_eq(md->brokers[0].port, fb.port);
    ck_assert_str_eq(md->brokers[0].host, "127.0.0.1");
    ck_assert_int_eq(md->controller_id, 0);
    ck_assert_str_eq(md->cluster_id, "fake-cluster");
    ck_assert_int_eq(md->topic_cnt, 0);
    samsa_metadata_destroy(md);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

START_TEST(client__deadline)
{
    samsa_metadata_t *md = (samsa_metadata_t *)1;
    char servers[64], *errmsg = NULL;
    int64_t t0 = sm_mono_ms();
    samsa_client_t *c;
    samsa_err_t err;

    snprintf(servers, sizeof(servers), "127.0.0.1:%d", fb_closed_port());
    c = client_for(servers, 300);
    err = samsa_describe_cluster(c, &md, &errmsg);
    ck_assert_int_eq(err, SM_ERR__TRANSPORT);
    ck_assert_ptr_null(md);
    ck_assert_msg(errmsg && strstr(errmsg, "Connection refused"), "%s",
                  errmsg ? errmsg : "(null)");
    ck_assert_int_ge(sm_mono_ms() - t0, 250);
    ck_assert_int_lt(sm_mono_ms() - t0, 3000);
    free(errmsg);
    samsa_client_destroy(c);
}
END_TEST

/* Closes the connection on the first Metadata request. */
static int
flaky(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    if (hdr->ApiKey == SM_API_Metadata &&
        atomic_load(&fb->nreq[SM_API_Metadata]) == 1)
        return FB_CLOSE;
    return fb_default(fb, hdr, body, out);
}

START_TEST(client__reconnects)
{
    samsa_metadata_t *md = NULL;
    char servers[64], *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, flaky, NULL), 0);
    snprintf(servers, sizeof(servers), "127.0.0.1:%d", fb.port);
    c = client_for(servers, 5000);
    ck_assert_int_eq(samsa_describe_cluster(c, &md, &errmsg), SAMSA_OK);
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_Metadata]), 2);
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_ApiVersions]), 2);
    samsa_metadata_destroy(md);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* The controller is unknown (-1) for the first two Metadata answers. */
static int
late_controller(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
                sm_buf_t *out)
{
    if (hdr->ApiKey == SM_API_Metadata)
        fb->controller_id = atomic_load(&fb->nreq[SM_API_Metadata]) > 2
                            ? 0 : -1;
    if (hdr->ApiKey == SM_API_DeleteTopics) {
        sm_wr_i32(out, 0);              /* v1+: throttle */
        sm_wr_i32(out, 0);              /* no responses */
        return FB_ANSWER;
    }
    return fb_default(fb, hdr, body, out);
}

START_TEST(client__controller_refresh)
{
    const char *topics[] = { "t" };
    samsa_result_t *res = NULL;
    char servers[64], *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, late_controller, NULL), 0);
    snprintf(servers, sizeof(servers), "127.0.0.1:%d", fb.port);
    c = client_for(servers, 5000);
    ck_assert_int_eq(samsa_delete_topics(c, topics, 1, &res, &errmsg),
                     SAMSA_OK);
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_Metadata]), 3);
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_DeleteTopics]), 1);
    /* the answer named no topic: Kafka's "did not contain a result" */
    ck_assert_int_eq(res[0].err, SM_ERR_UNKNOWN_SERVER_ERROR);
    ck_assert_str_eq(res[0].errmsg, "The controller response did not "
                     "contain a result for topic t");
    samsa_results_free(res, 1);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

Suite *
sm_test_suite_client(void)
{
    Suite *s = suite_create("client");
    TCase *tc = tcase_create("client");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, client__conf_keys);
    tcase_add_test(tc, client__new_errors);
    tcase_add_test(tc, client__bootstrap_fallback);
    tcase_add_test(tc, client__deadline);
    tcase_add_test(tc, client__reconnects);
    tcase_add_test(tc, client__controller_refresh);
    suite_add_tcase(s, tc);
    return s;
}
