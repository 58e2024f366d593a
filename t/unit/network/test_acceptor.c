/* test_acceptor.c: listeners (IPv4, IPv6, wildcard), max.connections,
 * stop accepting. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_test.h"
#include "sm_test.h"

/* Can this host bind ::1 at all?  (Containers without IPv6 cannot.) */
static int
have_ipv6_loopback(void)
{
    struct sockaddr_in6 in6;
    int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;

    if (fd < 0)
        return 0;
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_addr = in6addr_loopback;
    ok = bind(fd, (struct sockaddr *)&in6, sizeof(in6)) == 0;
    close(fd);
    return ok;
}

static void
expect_peer(int fd, const char *prefix)
{
    char peer[64];

    ck_assert_int_eq(ntest_send_frame(fd, "P", 1), 0);
    ssize_t n = ntest_recv_frame(fd, peer, sizeof(peer) - 1);
    ck_assert_int_gt(n, 0);
    peer[n] = '\0';
    ck_assert_msg(strncmp(peer, prefix, strlen(prefix)) == 0,
                  "peer %s does not start with %s", peer, prefix);
}

START_TEST(acceptor__ipv4_peer_names)
{
    ntest_t t;

    ntest_config(&t);
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    expect_peer(fd, "127.0.0.1:");
    close(fd);
    ntest_stop(&t);
}
END_TEST

START_TEST(acceptor__ipv6_loopback_listener)
{
    ntest_t t;

    if (!have_ipv6_loopback()) {
        fprintf(stderr, "# no IPv6 loopback here: skipped\n");
        return;
    }
    ntest_config(&t);
    t.lcfg.host = "[::1]";
    ntest_start(&t);
    int fd = ntest_connect6(t.port);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ntest_echo(fd, "over ipv6"), 0);
    expect_peer(fd, "[::1]:");
    close(fd);
    ck_assert_int_eq(ntest_connect(t.port), -1);    /* not on 127.0.0.1 */
    ntest_stop(&t);
}
END_TEST

START_TEST(acceptor__wildcard_listener_takes_both_families)
{
    ntest_t t;

    ntest_config(&t);
    t.lcfg.host = "";
    t.cfg.socket_send_buffer_bytes = 65536;
    t.cfg.socket_receive_buffer_bytes = 65536;
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ntest_echo(fd, "v4"), 0);
    close(fd);
    if (have_ipv6_loopback()) {
        fd = ntest_connect6(t.port);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(ntest_echo(fd, "v6"), 0);
        close(fd);
    }
    ntest_stop(&t);
}
END_TEST

static int
readable_within(int fd, int ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    return poll(&pfd, 1, ms) > 0;
}

START_TEST(acceptor__max_connections_pauses_accepting)
{
    char resp[16];
    ntest_t t;

    ntest_config(&t);
    t.cfg.max_connections = 2;
    ntest_start(&t);
    int a = ntest_connect(t.port), b = ntest_connect(t.port);
    ck_assert_int_eq(ntest_echo(a, "a"), 0);
    ck_assert_int_eq(ntest_echo(b, "b"), 0);
    /* the third handshake completes in the backlog, but nobody serves it */
    int c = ntest_connect(t.port);
    ck_assert_int_ge(c, 0);
    ck_assert_int_eq(ntest_send_frame(c, "Ec", 2), 0);
    ck_assert(!readable_within(c, 300));
    ck_assert_uint_eq(ntest_stats(&t).accepted, 2);
    close(a);
    ck_assert_int_eq(ntest_recv_frame(c, resp, sizeof(resp)), 2);
    ck_assert_uint_eq(ntest_stats(&t).accepted, 3);
    ck_assert_int_eq(ntest_echo(b, "b again"), 0);
    close(b);
    close(c);
    ntest_stop(&t);
}
END_TEST

START_TEST(acceptor__stop_accepting_keeps_connections)
{
    ntest_t t;

    ntest_config(&t);
    ntest_start(&t);
    int fd = ntest_connect(t.port);
    ck_assert_int_eq(ntest_echo(fd, "before"), 0);
    sm_net_stop_accepting(t.net);
    sm_net_stop_accepting(t.net);       /* idempotent */
    ck_assert_int_eq(ntest_connect(t.port), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
    ck_assert_int_eq(ntest_echo(fd, "after"), 0);
    close(fd);
    ntest_stop(&t);
}
END_TEST

Suite *
sm_test_suite_acceptor(void)
{
    Suite *s = suite_create("acceptor");
    TCase *tc = tcase_create("acceptor");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, acceptor__ipv4_peer_names);
    tcase_add_test(tc, acceptor__ipv6_loopback_listener);
    tcase_add_test(tc, acceptor__wildcard_listener_takes_both_families);
    tcase_add_test(tc, acceptor__max_connections_pauses_accepting);
    tcase_add_test(tc, acceptor__stop_accepting_keeps_connections);
    suite_add_tcase(s, tc);
    return s;
}
