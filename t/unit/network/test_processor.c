/* test_processor.c: network threads - framing, muting, writing, idle
 * close, sendfile segments, late responses. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "net_test.h"
#include "sm_test.h"

/* ------------------------------------------------- pipelined clients */

typedef struct nclient {
    pthread_t tid;
    int       port;
    int       id;
    int       rounds;
    int       window;
    int       ok;
    long      answered;
} nclient_t;

/* Request i of client id: 'E', id, seq, then padding; every 16th is
 * 10000 bytes (larger than the server's read buffer). */
static size_t
nclient_build(uint8_t *p, int id, uint32_t seq)
{
    size_t len = seq % 16 == 15 ? 10000 : 9 + seq % 97;

    sm_store_be32(p, (uint32_t)len);
    p[4] = 'E';
    sm_store_be32(p + 5, (uint32_t)id);
    sm_store_be32(p + 9, seq);
    for (size_t i = 13; i < len + 4; i++)
        p[i] = (uint8_t)(seq + i);
    return len + 4;
}

static void *
nclient_main(void *arg)
{
    nclient_t *c = arg;
    uint8_t *out = sm_malloc((size_t)c->window * 10004);
    uint8_t *exp = sm_malloc(10004), *in = sm_malloc(10004);
    int fd = ntest_connect(c->port);
    uint32_t seq = 0;

    c->ok = fd >= 0;
    for (int r = 0; r < c->rounds && c->ok; r++) {
        size_t n = 0;
        for (int i = 0; i < c->window; i++)
            n += nclient_build(out + n, c->id, seq + (uint32_t)i);
        if (ntest_send_all(fd, out, n) != 0)
            c->ok = 0;
        for (int i = 0; i < c->window && c->ok; i++, seq++) {
            size_t elen = nclient_build(exp, c->id, seq) - 4;
            ssize_t got = ntest_recv_frame(fd, in, 10004);
            if (got != (ssize_t)elen || memcmp(in, exp + 4, elen) != 0)
                c->ok = 0;
            else
                c->answered++;
        }
    }
    if (fd >= 0)
        close(fd);
    free(out);
    free(exp);
    free(in);
    return NULL;
}

START_TEST(processor__pipelined_many_clients_in_order)
{
    enum { NCLIENTS = 16, ROUNDS = 20, WINDOW = 32 };
    nclient_t c[NCLIENTS];
    ntest_t t;

    ntest_config(&t);
    t.cfg.num_network_threads = 3;
    ntest_start(&t);
    int64_t t0 = sm_mono_us();
    for (int i = 0; i < NCLIENTS; i++) {
        c[i] = (nclient_t){ .port = t.port, .id = i, .rounds = ROUNDS,
                            .window = WINDOW };
        ck_assert_int_eq(pthread_create(&c[i].tid, NULL, nclient_main,
                                        &c[i]), 0);
    }
    long total = 0;
    for (int i = 0; i < NCLIENTS; i++) {
        pthread_join(c[i].tid, NULL);
        ck_assert_msg(c[i].ok, "client %d failed after %ld answers", i,
                      c[i].answered);
        total += c[i].answered;
    }
    int64_t us = sm_mono_us() - t0;
    ck_assert_int_eq(total, NCLIENTS * ROUNDS * WINDOW);
    fprintf(stderr, "# echo: %ld pipelined requests from %d clients in "
            "%.3f s = %.0f requests/s\n", total, NCLIENTS, us / 1e6,
            total / (us / 1e6));
    sm_net_stats_t st = ntest_stats(&t);
    ck_assert_uint_eq(st.requests, (uint64_t)total);
    ck_assert_uint_eq(st.responses, (uint64_t)total);
    ck_assert_uint_eq(st.accepted, NCLIENTS);
    ntest_stop(&t);
}
END_TEST

START_TEST(processor__large_request_frame)
{
    size_t len = 600 * 1024;     /* > read buffer and > one read budget */
    uint8_t *req = sm_malloc(len), *resp = sm_malloc(len);
    ntest_t t;

    ntest_config(&t);
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    req[0] = 'E';
    for (size_t i = 1; i < len; i++)
        req[i] = ntest_pattern_byte(i);
    ck_assert_int_eq(ntest_send_frame(fd, req, len), 0);
    ck_assert_int_eq(ntest_recv_frame(fd, resp, len), (ssize_t)len);
    ck_assert(memcmp(req, resp, len) == 0);
    ck_assert_int_eq(ntest_echo(fd, "after"), 0);
    close(fd);
    free(req);
    free(resp);
    ntest_stop(&t);
}
END_TEST

START_TEST(processor__slow_reader_partial_writes)
{
    size_t len = 4 << 20;
    uint8_t *req = sm_malloc(len), *resp = sm_malloc(len);
    ntest_t t;

    ntest_config(&t);
    t.cfg.socket_request_max_bytes = 8 << 20;
    t.cfg.socket_send_buffer_bytes = 32768;
    ntest_start(&t);
    int fd = ntest_connect_rcvbuf(t.port, 16384);
    req[0] = 'E';
    for (size_t i = 1; i < len; i++)
        req[i] = ntest_pattern_byte(i);
    ck_assert_int_eq(ntest_send_frame(fd, req, len), 0);
    /* read in small sips with pauses: the server hits EAGAIN many times */
    size_t got = 0;
    uint8_t hdr[4];
    ck_assert_int_eq(recv(fd, hdr, 4, MSG_WAITALL), 4);
    ck_assert_uint_eq(sm_load_be32(hdr), len);
    for (int sips = 0; got < len && sips < 100000; sips++) {
        ssize_t n = recv(fd, resp + got, len - got < 65536 ? len - got
                                                           : 65536, 0);
        ck_assert_int_gt(n, 0);
        got += (size_t)n;
        if (sips % 16 == 0)
            usleep(1000);
    }
    ck_assert_uint_eq(got, len);
    ck_assert(memcmp(req, resp, len) == 0);
    ck_assert_int_eq(ntest_echo(fd, "after"), 0);
    close(fd);
    free(req);
    free(resp);
    ntest_stop(&t);
}
END_TEST

START_TEST(processor__many_segments_span_iovec_batches)
{
    uint8_t req[5] = { 'M' };
    uint32_t nsegs = 1000;      /* 64 iovecs per sendmsg: 16 batches */
    size_t total = 0;
    ntest_t t;

    for (uint32_t i = 0; i < nsegs; i++)
        total += i % 50 + 1;
    uint8_t *resp = sm_malloc(total);
    ntest_config(&t);
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    sm_store_be32(req + 1, nsegs);
    ck_assert_int_eq(ntest_send_frame(fd, req, sizeof(req)), 0);
    ck_assert_int_eq(ntest_recv_frame(fd, resp, total), (ssize_t)total);
    for (size_t i = 0; i < total; i++)
        if (resp[i] != ntest_pattern_byte(i))
            ck_abort_msg("byte %zu differs", i);
    sm_store_be32(req + 1, 0);  /* an empty response is a 0-size frame */
    ck_assert_int_eq(ntest_send_frame(fd, req, sizeof(req)), 0);
    ck_assert_int_eq(ntest_recv_frame(fd, resp, total), 0);
    close(fd);
    free(resp);
    ntest_stop(&t);
}
END_TEST

/* --------------------------------------------------- invalid frames */

static int
count_lines_with(const char *text, const char *needle)
{
    int n = 0;

    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static char *
slurp_fd(int fd)
{
    off_t len = lseek(fd, 0, SEEK_END);
    char *buf = sm_malloc((size_t)len + 1);

    ck_assert_int_eq(pread(fd, buf, (size_t)len, 0), len);
    buf[len] = '\0';
    return buf;
}

START_TEST(processor__invalid_size_closes_only_that_connection)
{
    static const uint8_t sizes[3][4] = {
        { 0x7f, 0xff, 0xff, 0xff },     /* 2 GiB - 1 */
        { 0x80, 0x00, 0x00, 0x00 },     /* 2 GiB: negative as an INT32 */
        { 0xff, 0xff, 0xff, 0xff },     /* -1 */
    };
    int logfd = ntest_make_file(0, 0);
    ntest_t t;

    sm_log_set_fd(logfd);
    ntest_config(&t);
    ntest_start(&t);
    int a = ntest_connect(t.port);
    ck_assert_int_eq(ntest_echo(a, "before"), 0);
    for (int i = 0; i < 3; i++) {
        int bad = ntest_connect(t.port);
        ck_assert_int_eq(ntest_send_all(bad, sizes[i], 4), 0);
        ck_assert(ntest_wait_closed(bad, 5000));
        close(bad);
        ck_assert_int_eq(ntest_echo(a, "between"), 0);
    }
    ck_assert_uint_eq(ntest_stats(&t).oversized_frames, 3);
    close(a);
    ntest_stop(&t);
    sm_log_set_fd(2);           /* not before the threads are gone */

    char *log = slurp_fd(logfd);
    ck_assert_int_eq(count_lines_with(log, "Invalid receive (size = "
                                      "2147483647 larger than 1048576)"),
                     1);
    ck_assert_int_eq(count_lines_with(log, "Invalid receive (size = "
                                      "-2147483648)"), 1);
    ck_assert_int_eq(count_lines_with(log, "Invalid receive (size = -1)"),
                     1);
    ck_assert_int_eq(count_lines_with(log, "WARN Closing connection"), 3);
    ck_assert_int_eq(count_lines_with(log, "from 127.0.0.1:"), 3);
    free(log);
    close(logfd);
}
END_TEST

START_TEST(processor__garbage_and_truncated_frames_close)
{
    static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    uint8_t trunc[54];
    ntest_t t;

    ntest_config(&t);
    ntest_start(&t);
    int ok = ntest_connect(t.port);
    int g = ntest_connect(t.port), tr = ntest_connect(t.port);
    int z = ntest_connect(t.port);

    /* "GET " read as a size: 1195725856 bytes */
    ck_assert_int_eq(ntest_send_all(g, http, sizeof(http) - 1), 0);
    ck_assert(ntest_wait_closed(g, 5000));
    /* 100 bytes announced, 50 sent, then EOF */
    sm_store_be32(trunc, 100);
    memset(trunc + 4, 'E', 50);
    ck_assert_int_eq(ntest_send_all(tr, trunc, sizeof(trunc)), 0);
    shutdown(tr, SHUT_WR);
    ck_assert(ntest_wait_closed(tr, 5000));
    /* an empty frame reaches the handler, which cannot parse it */
    ck_assert_int_eq(ntest_send_frame(z, "", 0), 0);
    ck_assert(ntest_wait_closed(z, 5000));
    ck_assert_int_eq(ntest_echo(ok, "still here"), 0);
    ck_assert_uint_eq(ntest_stats(&t).oversized_frames, 1);
    ck_assert_uint_eq(ntest_stats(&t).requests, 2);   /* empty + echo */
    close(ok);
    close(g);
    close(tr);
    close(z);
    ntest_stop(&t);
}
END_TEST

/* Bug found by t/integration/test_bad_input.py: a peer that sent part of
 * a request and hung up was dropped without a word at the default log
 * level; now one INFO line names the peer and the reason, and a peer
 * closing between requests stays silent. */
START_TEST(processor__truncated_request_then_close_logs_one_line)
{
    uint8_t trunc[4 + 20];
    int logfd = ntest_make_file(0, 0);
    ntest_t t;

    sm_log_set_fd(logfd);
    ntest_config(&t);
    ntest_start(&t);
    int ok = ntest_connect(t.port), tr = ntest_connect(t.port);
    int quiet = ntest_connect(t.port);
    sm_store_be32(trunc, 100);
    memset(trunc + 4, 'E', 20);
    ck_assert_int_eq(ntest_send_all(tr, trunc, sizeof(trunc)), 0);
    shutdown(tr, SHUT_WR);
    ck_assert(ntest_wait_closed(tr, 5000));
    ck_assert_int_eq(ntest_echo(quiet, "one"), 0);
    shutdown(quiet, SHUT_WR);
    ck_assert(ntest_wait_closed(quiet, 5000));
    ck_assert_int_eq(ntest_echo(ok, "still here"), 0);
    close(ok);
    close(tr);
    close(quiet);
    ntest_stop(&t);
    sm_log_set_fd(2);

    char *log = slurp_fd(logfd);
    ck_assert_int_eq(count_lines_with(log, "peer closed in the middle of a "
                                      "request (24 bytes of it read)"), 1);
    ck_assert_int_eq(count_lines_with(log, "INFO Closing connection"), 1);
    ck_assert_int_eq(count_lines_with(log, "from 127.0.0.1:"), 1);
    free(log);
    close(logfd);
}
END_TEST

/* ------------------------------------------------- response actions */

START_TEST(processor__noop_unmutes_and_close_closes)
{
    uint8_t both[4 + 1 + 4 + 3], resp[16];
    ntest_t t;

    ntest_config(&t);
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    /* 'N' and an echo back to back: only the echo is answered */
    sm_store_be32(both, 1);
    both[4] = 'N';
    sm_store_be32(both + 5, 3);
    memcpy(both + 9, "Eok", 3);
    ck_assert_int_eq(ntest_send_all(fd, both, sizeof(both)), 0);
    ck_assert_int_eq(ntest_recv_frame(fd, resp, sizeof(resp)), 3);
    ck_assert(memcmp(resp, "Eok", 3) == 0);
    ck_assert_int_eq(ntest_send_frame(fd, "C", 1), 0);
    ck_assert(ntest_wait_closed(fd, 5000));
    sm_net_stats_t st = ntest_stats(&t);
    ck_assert_uint_eq(st.requests, 3);
    ck_assert_uint_eq(st.responses, 3);
    close(fd);
    ntest_stop(&t);
}
END_TEST

static int
late_built(ntest_t *t)
{
    pthread_mutex_lock(&t->lock);
    int r = t->late != NULL;
    pthread_mutex_unlock(&t->lock);
    return r;
}

static int
all_closed(ntest_t *t)
{
    return ntest_stats(t).open_connections == 0;
}

static int
one_dropped(ntest_t *t)
{
    return ntest_stats(t).dropped_responses == 1 &&
           atomic_load(&t->file_releases) == 1;
}

START_TEST(processor__late_response_after_close_is_dropped)
{
    ntest_t t;

    ntest_config(&t);
    t.file_fd = ntest_make_file(100, 1);
    t.file_len = 100;
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    ck_assert_int_eq(ntest_send_frame(fd, "Llate", 5), 0);
    ck_assert(ntest_wait(late_built, &t, 5000));
    close(fd);
    ck_assert(ntest_wait(all_closed, &t, 5000));

    pthread_mutex_lock(&t.lock);
    sm_response_t *late = t.late;
    t.late = NULL;
    pthread_mutex_unlock(&t.lock);
    sm_net_respond(t.net, late);
    ck_assert(ntest_wait(one_dropped, &t, 5000));
    /* the server is fine: a new connection works */
    fd = ntest_connect(t.port);
    ck_assert_int_eq(ntest_echo(fd, "new"), 0);
    close(fd);
    ntest_stop(&t);
    ck_assert_int_eq(atomic_load(&t.file_releases), 1);
}
END_TEST

/* ------------------------------------------------------- read-ahead */

static int
one_held(ntest_t *t)
{
    pthread_mutex_lock(&t->lock);
    int n = t->nheld;
    pthread_mutex_unlock(&t->lock);
    return n == 1;
}

/* Offer up to len bytes without blocking, a few times with pauses; the
 * number of bytes the socket took. */
static size_t
send_what_fits(int fd, const uint8_t *p, size_t len)
{
    size_t sent = 0;

    for (int round = 0; round < 10 && sent < len; round++) {
        ssize_t n = send(fd, p + sent, len - sent, MSG_DONTWAIT);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        usleep(20 * 1000);
    }
    return sent;
}

/* A muted connection reads exactly one further frame: the client can hand
 * over a request much larger than both socket buffers while its previous
 * request is in flight, but not a third one; answers keep request order. */
START_TEST(processor__read_ahead_one_frame_while_muted)
{
    size_t len = 400 * 1024;
    uint8_t *f2 = sm_malloc(len + 4), *f3 = sm_malloc(len + 4);
    uint8_t *in = sm_malloc(len);
    int sndbuf = 8192;
    ntest_t t;

    ntest_config(&t);
    t.cfg.socket_receive_buffer_bytes = 8192;
    ntest_start(&t);
    int fd = ntest_connect_rcvbuf(t.port, 8192);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
                                sizeof(sndbuf)), 0);
    for (size_t i = 0; i < len; i++)
        f2[4 + i] = f3[4 + i] = ntest_pattern_byte(i);
    sm_store_be32(f2, (uint32_t)len);
    sm_store_be32(f3, (uint32_t)len);
    f2[4] = f3[4] = 'E';
    f3[5] = 'x';

    ck_assert_int_eq(ntest_send_frame(fd, "Hheld", 5), 0);
    ck_assert(ntest_wait(one_held, &t, 5000));
    /* blocking send, 5 s timeout: only completes if the server reads it */
    ck_assert_int_eq(ntest_send_all(fd, f2, len + 4), 0);
    size_t took = send_what_fits(fd, f3, len + 4);
    ck_assert_msg(took < len + 4, "the third frame was read too (%zu)",
                  took);
    ck_assert_int_eq(atomic_load(&t.handled), 1);

    ntest_release_held(&t);
    ck_assert_int_eq(ntest_recv_frame(fd, in, len), 5);
    ck_assert(memcmp(in, "Hheld", 5) == 0);
    ck_assert_int_eq(ntest_send_all(fd, f3 + took, len + 4 - took), 0);
    ck_assert_int_eq(ntest_recv_frame(fd, in, len), (ssize_t)len);
    ck_assert(memcmp(in, f2 + 4, len) == 0);
    ck_assert_int_eq(ntest_recv_frame(fd, in, len), (ssize_t)len);
    ck_assert(memcmp(in, f3 + 4, len) == 0);
    close(fd);
    free(f2);
    free(f3);
    free(in);
    ntest_stop(&t);
}
END_TEST

/* ------------------------------------------------------- idle close */

START_TEST(processor__idle_connections_close)
{
    ntest_t t;

    ntest_config(&t);
    t.cfg.connections_max_idle_ms = 150;
    ntest_start(&t);
    int idle = ntest_connect(t.port), busy = ntest_connect(t.port);
    ck_assert_int_eq(ntest_echo(idle, "x"), 0);
    for (int i = 0; i < 12; i++) {
        ck_assert_int_eq(ntest_echo(busy, "ping"), 0);
        usleep(40 * 1000);
    }
    ck_assert(ntest_wait_closed(idle, 5000));
    ck_assert_int_eq(ntest_echo(busy, "still open"), 0);
    ck_assert_uint_eq(ntest_stats(&t).idle_closed, 1);
    close(idle);
    close(busy);
    ntest_stop(&t);
}
END_TEST

/* --------------------------------------------------- file segments */

static int
releases_one(ntest_t *t)
{
    return atomic_load(&t->file_releases) == 1;
}

START_TEST(processor__file_segments_via_sendfile)
{
    size_t flen = 3 << 20, len = flen - 2000, total = 6 + len + 6;
    uint8_t *resp = sm_malloc(total);
    ntest_t t;

    ntest_config(&t);
    t.file_fd = ntest_make_file(flen, 1);
    t.file_pos = 1000;
    t.file_len = len;
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    for (int round = 1; round <= 2; round++) {
        ck_assert_int_eq(ntest_send_frame(fd, "F", 1), 0);
        ck_assert_int_eq(ntest_recv_frame(fd, resp, total), (ssize_t)total);
        ck_assert(memcmp(resp, "F-HEAD", 6) == 0);
        for (size_t i = 0; i < len; i++)
            if (resp[6 + i] != ntest_pattern_byte(1000 + i))
                ck_abort_msg("byte %zu of the file range differs", i);
        ck_assert(memcmp(resp + 6 + len, "F-TAIL", 6) == 0);
        ck_assert_int_eq(atomic_load(&t.file_releases), round);
    }
    close(fd);
    free(resp);
    ntest_stop(&t);
    ck_assert_int_eq(atomic_load(&t.file_releases), 2);
}
END_TEST

START_TEST(processor__client_gone_mid_sendfile_releases_once)
{
    uint8_t buf[65536];
    int small = 4096;
    ntest_t t;

    ntest_config(&t);
    t.cfg.socket_send_buffer_bytes = 65536;
    t.file_fd = ntest_make_file(256u << 20, 0);     /* sparse */
    t.file_len = 256u << 20;
    ntest_start(&t);

    int fd = ntest_connect_rcvbuf(t.port, small);
    ck_assert_int_eq(ntest_send_frame(fd, "F", 1), 0);
    size_t got = 0;
    while (got < sizeof(buf)) {
        ssize_t n = recv(fd, buf, sizeof(buf) - got, 0);
        ck_assert_int_gt(n, 0);
        got += (size_t)n;
    }
    close(fd);          /* unread data: the kernel sends a reset */
    ck_assert(ntest_wait(releases_one, &t, 10000));
    ck_assert(ntest_wait(all_closed, &t, 5000));
    ntest_stop(&t);
    ck_assert_int_eq(atomic_load(&t.file_releases), 1);
}
END_TEST

Suite *
sm_test_suite_processor(void)
{
    Suite *s = suite_create("processor");
    TCase *tc = tcase_create("processor");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, processor__pipelined_many_clients_in_order);
    tcase_add_test(tc, processor__large_request_frame);
    tcase_add_test(tc, processor__slow_reader_partial_writes);
    tcase_add_test(tc, processor__many_segments_span_iovec_batches);
    tcase_add_test(tc, processor__invalid_size_closes_only_that_connection);
    tcase_add_test(tc, processor__garbage_and_truncated_frames_close);
    tcase_add_test(tc, processor__truncated_request_then_close_logs_one_line);
    tcase_add_test(tc, processor__noop_unmutes_and_close_closes);
    tcase_add_test(tc, processor__late_response_after_close_is_dropped);
    tcase_add_test(tc, processor__read_ahead_one_frame_while_muted);
    tcase_add_test(tc, processor__idle_connections_close);
    tcase_add_test(tc, processor__file_segments_via_sendfile);
    tcase_add_test(tc, processor__client_gone_mid_sendfile_releases_once);
    suite_add_tcase(s, tc);
    return s;
}
