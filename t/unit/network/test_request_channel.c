/* test_request_channel.c: the bounded request queue (back-pressure without
 * blocking network threads) and the handler pool. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_endian.h"
#include "common/sm_mem.h"
#include "net_test.h"
#include "sm_test.h"

typedef struct slow_client {
    pthread_t tid;
    int       port;
    int       id;
    int       nreq;
    int       ok;
} slow_client_t;

/* Pipeline nreq slow requests in one write, then read them in order. */
static void *
slow_client_main(void *arg)
{
    slow_client_t *c = arg;
    uint8_t out[64 * 13], in[16];
    int fd = ntest_connect(c->port);
    size_t n = 0;

    c->ok = fd >= 0 && c->nreq <= 64;
    for (int i = 0; i < c->nreq && c->ok; i++) {
        sm_store_be32(out + n, 9);
        out[n + 4] = 'S';
        sm_store_be32(out + n + 5, 2);              /* sleep 2 ms */
        sm_store_be32(out + n + 9, (uint32_t)(c->id * 1000 + i));
        n += 13;
    }
    if (c->ok && ntest_send_all(fd, out, n) != 0)
        c->ok = 0;
    for (int i = 0; i < c->nreq && c->ok; i++) {
        if (ntest_recv_frame(fd, in, sizeof(in)) != 9 ||
            sm_load_be32(in + 5) != (uint32_t)(c->id * 1000 + i))
            c->ok = 0;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

START_TEST(request_channel__tiny_queue_back_pressure)
{
    enum { NCLIENTS = 12, NREQ = 10 };
    slow_client_t c[NCLIENTS];
    int max_queued = 0;
    ntest_t t;

    ntest_config(&t);
    t.cfg.queued_max_requests = 1;
    t.cfg.num_io_threads = 2;
    t.cfg.num_network_threads = 2;
    ntest_start(&t);
    for (int i = 0; i < NCLIENTS; i++) {
        c[i] = (slow_client_t){ .port = t.port, .id = i, .nreq = NREQ };
        ck_assert_int_eq(pthread_create(&c[i].tid, NULL, slow_client_main,
                                        &c[i]), 0);
    }
    /* sample the queue while the clients run */
    for (int i = 0; i < 200 && ntest_stats(&t).responses <
         NCLIENTS * NREQ; i++) {
        int q = ntest_stats(&t).queued_requests;
        max_queued = q > max_queued ? q : max_queued;
        usleep(2000);
    }
    for (int i = 0; i < NCLIENTS; i++) {
        pthread_join(c[i].tid, NULL);
        ck_assert_msg(c[i].ok, "client %d failed", i);
    }
    ck_assert_int_le(max_queued, 1);
    ck_assert_int_le(atomic_load(&t.max_in_handler), 2);
    ck_assert_int_eq(atomic_load(&t.handled), NCLIENTS * NREQ);
    ck_assert_uint_eq(ntest_stats(&t).requests, NCLIENTS * NREQ);
    ntest_stop(&t);
}
END_TEST

static int
four_in_handler(ntest_t *t)
{
    return atomic_load(&t->max_in_handler) >= 4;
}

START_TEST(request_channel__handlers_run_in_parallel)
{
    uint8_t req[5] = { 'S' }, resp[16];
    int fd[4];
    ntest_t t;

    ntest_config(&t);
    t.cfg.num_io_threads = 4;
    ntest_start(&t);
    sm_store_be32(req + 1, 300);
    for (int i = 0; i < 4; i++) {
        fd[i] = ntest_connect(t.port);
        ck_assert_int_eq(ntest_send_frame(fd[i], req, sizeof(req)), 0);
    }
    ck_assert(ntest_wait(four_in_handler, &t, 5000));
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(ntest_recv_frame(fd[i], resp, sizeof(resp)), 5);
        close(fd[i]);
    }
    ntest_stop(&t);
}
END_TEST

Suite *
sm_test_suite_request_channel(void)
{
    Suite *s = suite_create("request_channel");
    TCase *tc = tcase_create("request_channel");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, request_channel__tiny_queue_back_pressure);
    tcase_add_test(tc, request_channel__handlers_run_in_parallel);
    suite_add_tcase(s, tc);
    return s;
}
