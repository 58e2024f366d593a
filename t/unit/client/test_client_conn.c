/* test_client_conn.c: client_conn.c - addresses, connect, framing,
 * correlation ids, bounds, timeouts and ApiVersions negotiation against a
 * scripted peer (fake_broker.h). */
#include <stdatomic.h>
#include <string.h>

#include "client/client.h"
#include "common/sm_time.h"
#include "fake_broker.h"
#include "protocol/apiversions.h"
#include "protocol/metadata.h"
#include "sm_test.h"

static sm_client_conf_t conf;

static void
setup(void)
{
    sm_client_conf_init(&conf);
}

static void
teardown(void)
{
    sm_client_conf_fini(&conf);
}

static void
check_addr(const char *s, const char *host, int port)
{
    char *h = NULL, errstr[128] = "";
    int p = -1;
    sm_err_t err = sm_client_parse_address(s, &h, &p, errstr,
                                           sizeof(errstr));

    if (host == NULL) {
        ck_assert_int_eq(err, SM_ERR__CONFIG);
        ck_assert_ptr_null(h);
        ck_assert(strstr(errstr, "Invalid url in bootstrap.servers: ") ==
                  errstr);
        return;
    }
    ck_assert_msg(err == SM_OK, "%s: %s", s, errstr);
    ck_assert_str_eq(h, host);
    ck_assert_int_eq(p, port);
    free(h);
}

START_TEST(conn__parse_address)
{
    check_addr("localhost:9092", "localhost", 9092);
    check_addr("PLAINTEXT://b-1.example:19092", "b-1.example", 19092);
    check_addr("[::1]:9092", "::1", 9092);
    check_addr("::1:9093", "::1", 9093);
    check_addr("h_x%1:0", "h_x%1", 0);
    check_addr("localhost", NULL, 0);
    check_addr("localhost:", NULL, 0);
    check_addr(":9092", NULL, 0);
    check_addr("h:x1", NULL, 0);
    check_addr("h:70000", NULL, 0);
    check_addr("a b:1", NULL, 0);
    check_addr("[::1]9092", NULL, 0);
}
END_TEST

START_TEST(conn__negotiate_versions)
{
    sm_client_conn_t *conn = NULL;
    char errstr[256] = "";
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, NULL, NULL), 0);
    ck_assert_int_eq(sm_client_conn_open("127.0.0.1", fb.port, -1, &conf,
                                         sm_mono_ms() + 5000, &conn, errstr,
                                         sizeof(errstr)), SM_OK);
    ck_assert_int_eq(atomic_load(&fb.last_version[SM_API_ApiVersions]),
                     SM_APIVERSIONS_MAX_VERSION);
    ck_assert_int_eq(sm_client_conn_version(conn, SM_API_Metadata, 8), 8);
    ck_assert_int_eq(sm_client_conn_version(conn, SM_API_Metadata, 5), 5);
    ck_assert_int_eq(sm_client_conn_version(conn, SM_API_CreateTopics, 99),
                     4);
    ck_assert_int_eq(sm_client_conn_version(conn, 24, 5), -1); /* absent */
    ck_assert_int_eq(sm_client_conn_version(conn, 500, 5), -1);
    sm_client_conn_destroy(conn);
    fb_stop(&fb);
}
END_TEST

/* A broker that only knows ApiVersions v0-2 (KIP-511 answer to v3). */
static int
old_broker(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    if (hdr->ApiKey == SM_API_ApiVersions && hdr->ApiVersion > 2) {
        sm_ApiVersionsResponseKey_t k = { SM_API_ApiVersions, 0, 2 };
        sm_ApiVersionsResponse_t r = { 0, SM_ERR_UNSUPPORTED_VERSION, 1, &k,
                                       0 };
        sm_ApiVersionsResponse_write(out, 0, &r);
        return FB_ANSWER;
    }
    return fb_default(fb, hdr, body, out);
}

START_TEST(conn__kip511_fallback)
{
    sm_client_conn_t *conn = NULL;
    char errstr[256] = "";
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, old_broker, NULL), 0);
    ck_assert_int_eq(sm_client_conn_open("127.0.0.1", fb.port, 3, &conf,
                                         sm_mono_ms() + 5000, &conn, errstr,
                                         sizeof(errstr)), SM_OK);
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_ApiVersions]), 2);
    ck_assert_int_eq(atomic_load(&fb.last_version[SM_API_ApiVersions]), 2);
    ck_assert_int_eq(sm_client_conn_version(conn, SM_API_Metadata, 8), 8);
    sm_client_conn_destroy(conn);
    fb_stop(&fb);
}
END_TEST

/* Metadata answered with the action in fb->arg. */
static int
scripted(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    int act = fb_default(fb, hdr, body, out);

    return hdr->ApiKey == SM_API_Metadata ? *(int *)fb->arg : act;
}

static void
md_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_MetadataRequest_t req;

    (void)arg;
    memset(&req, 0, sizeof(req));
    sm_MetadataRequest_write(buf, version, &req);
}

/* One Metadata call on a fresh connection to a peer scripted with act. */
static sm_err_t
call_with(int act, int timeout_ms, char *errstr, size_t n, int *closed)
{
    sm_client_conn_t *conn = NULL;
    sm_client_resp_t resp;
    sm_err_t err;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, scripted, &act), 0);
    ck_assert_int_eq(sm_client_conn_open("127.0.0.1", fb.port, 0, &conf,
                                         sm_mono_ms() + 5000, &conn, errstr,
                                         n), SM_OK);
    err = sm_client_conn_call(conn, SM_API_Metadata, 1, md_body, NULL,
                              sm_mono_ms() + timeout_ms, &resp, errstr, n);
    *closed = conn->fd < 0;
    if (err == SM_OK) {
        sm_MetadataResponse_t md;
        ck_assert_int_eq(sm_MetadataResponse_read(&resp.rd, 1, &md), SM_OK);
        ck_assert_int_eq(md.ControllerId, 0);
        ck_assert_int_eq(md.Brokers[0].Port, fb.port);
        sm_MetadataResponse_free(&md);
    }
    sm_client_resp_fini(&resp);
    sm_client_conn_destroy(conn);
    fb_stop(&fb);
    return err;
}

START_TEST(conn__call_ok)
{
    char errstr[256] = "";
    int closed;

    ck_assert_int_eq(call_with(FB_ANSWER, 5000, errstr, sizeof(errstr),
                               &closed), SM_OK);
    ck_assert_int_eq(closed, 0);
}
END_TEST

START_TEST(conn__corrid_mismatch)
{
    char errstr[256] = "";
    int closed;

    ck_assert_int_eq(call_with(FB_BAD_CORR, 5000, errstr, sizeof(errstr),
                               &closed), SM_ERR__BAD_MSG);
    ck_assert_int_eq(closed, 1);
    ck_assert_msg(strstr(errstr, "Correlation id") != NULL, "%s", errstr);
}
END_TEST

START_TEST(conn__response_too_large)
{
    char errstr[256] = "";
    int closed;

    ck_assert_int_eq(call_with(FB_HUGE, 5000, errstr, sizeof(errstr),
                               &closed), SM_ERR__TOO_LARGE);
    ck_assert_int_eq(closed, 1);
    ck_assert_msg(strstr(errstr, "samsa.max.response.bytes") != NULL, "%s",
                  errstr);
}
END_TEST

START_TEST(conn__peer_closes)
{
    char errstr[256] = "";
    int closed;

    ck_assert_int_eq(call_with(FB_CLOSE, 5000, errstr, sizeof(errstr),
                               &closed), SM_ERR__TRANSPORT);
    ck_assert_int_eq(closed, 1);
    ck_assert_msg(strstr(errstr, "Reading Metadata response from node 0")
                  != NULL, "%s", errstr);
}
END_TEST

START_TEST(conn__timeout)
{
    char errstr[256] = "";
    int64_t t0 = sm_mono_ms();
    int closed;

    ck_assert_int_eq(call_with(FB_SILENT, 200, errstr, sizeof(errstr),
                               &closed), SM_ERR__TIMED_OUT);
    ck_assert_int_ge(sm_mono_ms() - t0, 150);
    ck_assert_int_lt(sm_mono_ms() - t0, 4000);
    ck_assert_int_eq(closed, 1);
    ck_assert_msg(strstr(errstr, "timed out") != NULL, "%s", errstr);
}
END_TEST

START_TEST(conn__refused)
{
    sm_client_conn_t *conn = (sm_client_conn_t *)&conf;
    char errstr[256] = "";
    int port = fb_closed_port();

    ck_assert_int_eq(sm_client_conn_open("127.0.0.1", port, -1, &conf,
                                         sm_mono_ms() + 2000, &conn, errstr,
                                         sizeof(errstr)), SM_ERR__TRANSPORT);
    ck_assert_ptr_null(conn);
    ck_assert_msg(strstr(errstr, "Connection refused") != NULL, "%s",
                  errstr);
}
END_TEST

START_TEST(conn__ipv6)
{
    sm_client_conn_t *conn = NULL;
    char errstr[256] = "";
    fb_t fb;

    if (fb_start(&fb, 1, NULL, NULL) != 0)
        return;                         /* no IPv6 loopback here */
    ck_assert_int_eq(sm_client_conn_open("::1", fb.port, -1, &conf,
                                         sm_mono_ms() + 5000, &conn, errstr,
                                         sizeof(errstr)), SM_OK);
    ck_assert_int_eq(sm_client_conn_version(conn, SM_API_Metadata, 8), 8);
    sm_client_conn_destroy(conn);
    fb_stop(&fb);
}
END_TEST

Suite *
sm_test_suite_client_conn(void)
{
    Suite *s = suite_create("client_conn");
    TCase *tc = tcase_create("client_conn");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, conn__parse_address);
    tcase_add_test(tc, conn__negotiate_versions);
    tcase_add_test(tc, conn__kip511_fallback);
    tcase_add_test(tc, conn__call_ok);
    tcase_add_test(tc, conn__corrid_mismatch);
    tcase_add_test(tc, conn__response_too_large);
    tcase_add_test(tc, conn__peer_closes);
    tcase_add_test(tc, conn__timeout);
    tcase_add_test(tc, conn__refused);
    tcase_add_test(tc, conn__ipv6);
    suite_add_tcase(s, tc);
    return s;
}
