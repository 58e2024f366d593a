/*
 * net_test.h: shared fixtures for the socket-server tests (test_network).
 *
 * A test server runs a scripted handler: the first byte of each request
 * frame says what to do with it.
 *
 *   'E' ...        echo the whole frame back
 *   'S' ms(4) ...  sleep ms (big-endian u32), then echo
 *   'N'            NOOP response (nothing sent; the connection is unmuted)
 *   'M' n(4)       n memory segments of 1..50 bytes of the pattern
 *   'P'            answer with req->peer ("127.0.0.1:54321")
 *   'C'            CLOSE response
 *   'F'            "F-HEAD" + the fixture's file range + "F-TAIL"; the
 *                  file segment's release bumps t->file_releases
 *   'L'            build an echo response with a file segment but keep it
 *                  in t->late (the test sends it later, after a close)
 *   'H'            hold: keep the request in t->held (answered by
 *                  ntest_release_held())
 *
 * Clients are plain blocking sockets with 5 s send/receive timeouts, so a
 * broken server fails a test instead of hanging it.  Everything is loopback.
 */
#ifndef SM_NET_TEST_H
#define SM_NET_TEST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "network/net.h"

typedef struct ntest {
    sm_net_t       *net;
    sm_net_config_t cfg;
    sm_listener_cfg_t lcfg;
    int             port;

    atomic_int      handled;
    atomic_int      file_releases;
    atomic_int      in_handler;       /* concurrently running handlers */
    atomic_int      max_in_handler;

    int             file_fd;          /* for 'F' and 'L' */
    off_t           file_pos;
    size_t          file_len;

    pthread_mutex_t lock;
    sm_response_t  *late;
    sm_request_t   *held[64];
    int             nheld;
} ntest_t;

/* Defaults: one 127.0.0.1:0 listener, 2 network threads, 4 I/O threads,
 * queue 500, max request 1 MiB, idle close off. */
void ntest_config(ntest_t *t);
/* sm_net_new + sm_net_start with t->cfg; fails the test on error. */
void ntest_start(ntest_t *t);
void ntest_stop(ntest_t *t);
void ntest_release_held(ntest_t *t);
sm_net_stats_t ntest_stats(ntest_t *t);
/* Poll (every ms) until cond() or timeout_ms; returns cond's last value. */
int  ntest_wait(int (*cond)(ntest_t *), ntest_t *t, int timeout_ms);

int  ntest_connect(int port);
/* SO_RCVBUF set before connecting (the window is fixed at handshake). */
int  ntest_connect_rcvbuf(int port, int rcvbuf);
int  ntest_connect6(int port);      /* ::1; -1 if IPv6 is unavailable */
int  ntest_send_all(int fd, const void *buf, size_t len);
int  ntest_send_frame(int fd, const void *payload, size_t len);
/* Read one frame into buf (cap bytes); its length, or -1. */
ssize_t ntest_recv_frame(int fd, void *buf, size_t cap);
/* 1 if the peer closed fd (EOF or reset) within timeout_ms. */
int  ntest_wait_closed(int fd, int timeout_ms);
/* Echo request 'E' + text; checks the echo; 0 if fine. */
int  ntest_echo(int fd, const char *text);

/* An unlinked file of len bytes with a known pattern (sparse zeros if
 * pattern == 0); returns its descriptor. */
int  ntest_make_file(size_t len, int pattern);
uint8_t ntest_pattern_byte(size_t i);

#endif
