/* test_server.c: the socket server's life cycle - start, ports, config
 * checks, drain and destroy with requests in flight. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_endian.h"
#include "common/sm_time.h"
#include "net_test.h"
#include "sm_test.h"

START_TEST(server__ephemeral_port_echo_and_stats)
{
    ntest_t t;

    ntest_config(&t);
    ntest_start(&t);
    ck_assert_int_eq(sm_net_bound_port(t.net, 1), -1);
    int fd = ntest_connect(t.port);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ntest_echo(fd, "hello"), 0);
    sm_net_stats_t st = ntest_stats(&t);
    ck_assert_uint_eq(st.accepted, 1);
    ck_assert_uint_eq(st.requests, 1);
    ck_assert_uint_eq(st.responses, 1);
    ck_assert_int_eq(st.open_connections, 1);
    ck_assert_int_eq(st.queued_requests, 0);
    close(fd);
    ntest_stop(&t);
}
END_TEST

START_TEST(server__bind_conflict_names_the_listener)
{
    char errstr[256] = "";
    sm_net_t *net2 = (sm_net_t *)1;
    ntest_t t, u;

    ntest_config(&t);
    ntest_start(&t);
    ntest_config(&u);
    u.lcfg.name = "INTERNAL";
    u.lcfg.port = t.port;
    ck_assert_int_eq(sm_net_new(&u.cfg, &net2, errstr, sizeof(errstr)),
                     SM_ERR__IO);
    ck_assert_ptr_null(net2);
    ck_assert_msg(strstr(errstr, "INTERNAL") && strstr(errstr, "bind"),
                  "errstr: %s", errstr);
    pthread_mutex_destroy(&u.lock);
    ntest_stop(&t);
}
END_TEST

START_TEST(server__config_is_checked)
{
    char errstr[256];
    sm_net_t *net;
    ntest_t t;

    ntest_config(&t);
    t.cfg.num_network_threads = 0;
    ck_assert_int_eq(sm_net_new(&t.cfg, &net, errstr, sizeof(errstr)),
                     SM_ERR__CONFIG);
    ck_assert_ptr_nonnull(strstr(errstr, "num.network.threads"));
    ntest_config(&t);
    t.cfg.queued_max_requests = 0;
    ck_assert_int_eq(sm_net_new(&t.cfg, &net, errstr, sizeof(errstr)),
                     SM_ERR__CONFIG);
    ntest_config(&t);
    t.cfg.socket_send_buffer_bytes = 0;
    ck_assert_int_eq(sm_net_new(&t.cfg, &net, errstr, sizeof(errstr)),
                     SM_ERR__CONFIG);
    ntest_config(&t);
    t.cfg.nlisteners = 0;
    ck_assert_int_eq(sm_net_new(&t.cfg, &net, errstr, sizeof(errstr)),
                     SM_ERR__CONFIG);
    pthread_mutex_destroy(&t.lock);
}
END_TEST

START_TEST(server__destroy_without_start)
{
    char errstr[256];
    sm_net_t *net;
    ntest_t t;

    ntest_config(&t);
    ck_assert_int_eq(sm_net_new(&t.cfg, &net, errstr, sizeof(errstr)),
                     SM_OK);
    ck_assert_int_gt(sm_net_bound_port(net, 0), 0);
    sm_net_destroy(net);
    pthread_mutex_destroy(&t.lock);
}
END_TEST

static int
four_requests(ntest_t *t)
{
    return ntest_stats(t).requests == 4;
}

static void
send_slow(int fd, uint32_t ms)
{
    uint8_t req[5] = { 'S' };

    sm_store_be32(req + 1, ms);
    ck_assert_int_eq(ntest_send_frame(fd, req, sizeof(req)), 0);
}

START_TEST(server__drain_lets_in_flight_requests_finish)
{
    uint8_t resp[16];
    int fd[4];
    ntest_t t;

    ntest_config(&t);
    ntest_start(&t);
    for (int i = 0; i < 4; i++) {
        fd[i] = ntest_connect(t.port);
        send_slow(fd[i], 300);
    }
    ck_assert(ntest_wait(four_requests, &t, 5000));
    sm_net_stop_accepting(t.net);
    int late = ntest_connect(t.port);
    ck_assert_int_eq(late, -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
    ck_assert_int_eq(sm_net_drain(t.net, 10000), 0);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(ntest_recv_frame(fd[i], resp, sizeof(resp)), 5);
        ck_assert_int_eq(resp[0], 'S');
    }
    /* drained: a new request on an open connection is not read */
    ck_assert_int_eq(ntest_send_frame(fd[0], "Eno", 3), 0);
    usleep(100 * 1000);
    ck_assert_uint_eq(ntest_stats(&t).requests, 4);
    for (int i = 0; i < 4; i++)
        close(fd[i]);
    ntest_stop(&t);
}
END_TEST

static int
one_request(ntest_t *t)
{
    return ntest_stats(t).requests == 1;
}

START_TEST(server__drain_times_out_while_a_request_is_held)
{
    uint8_t resp[16];
    ntest_t t;

    ntest_config(&t);
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    ck_assert_int_eq(ntest_send_frame(fd, "H", 1), 0);
    ck_assert(ntest_wait(one_request, &t, 5000));
    int64_t t0 = sm_mono_ms();
    ck_assert_int_eq(sm_net_drain(t.net, 100), -1);
    ck_assert_int_ge(sm_mono_ms() - t0, 100);
    ntest_release_held(&t);
    ck_assert_int_eq(sm_net_drain(t.net, 5000), 0);
    ck_assert_int_eq(ntest_recv_frame(fd, resp, sizeof(resp)), 1);
    close(fd);
    ntest_stop(&t);
}
END_TEST

START_TEST(server__destroy_with_requests_in_flight)
{
    int fd[6];
    ntest_t t;

    ntest_config(&t);
    t.cfg.num_io_threads = 2;
    t.cfg.queued_max_requests = 2;
    ntest_start(&t);
    for (int i = 0; i < 6; i++) {
        fd[i] = ntest_connect(t.port);
        send_slow(fd[i], 50);       /* two handled, two queued, two parked */
    }
    usleep(20 * 1000);
    ntest_stop(&t);                 /* must neither hang nor leak */
    for (int i = 0; i < 6; i++)
        close(fd[i]);
}
END_TEST

Suite *
sm_test_suite_server(void)
{
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("server");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, server__ephemeral_port_echo_and_stats);
    tcase_add_test(tc, server__bind_conflict_names_the_listener);
    tcase_add_test(tc, server__config_is_checked);
    tcase_add_test(tc, server__destroy_without_start);
    tcase_add_test(tc, server__drain_lets_in_flight_requests_finish);
    tcase_add_test(tc, server__drain_times_out_while_a_request_is_held);
    tcase_add_test(tc, server__destroy_with_requests_in_flight);
    suite_add_tcase(s, tc);
    return s;
}
