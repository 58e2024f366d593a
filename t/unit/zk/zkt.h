/*
 * zkt.h: helpers shared by the ZooKeeper test suites (t/unit/zk/).
 *
 * test_zk's main() starts one throw-away ZooKeeper for the whole program
 * with t/lib/zk.sh (or uses $SAMSA_TEST_ZK_CONNECT) and exports its
 * "127.0.0.1:<port>" as $SAMSA_TEST_ZK; the tests run in forked children
 * and each connects under a chroot of its own, so they never see each
 * other's znodes.  Every wait here is bounded.
 */
#ifndef SM_TEST_ZKT_H
#define SM_TEST_ZKT_H

#include "zk/zk_client.h"

/* Start ZooKeeper for the program: 0 ok, 77 not installed, 1 failure. */
int zkt_start(void);
void zkt_stop(void);
/* "127.0.0.1:<port>" of the program's ZooKeeper (aborts the test if none). */
const char *zkt_hosts(void);
/* A fresh chroot name "/samsa-test/<tag>-<pid>-<n>" (static buffer). */
const char *zkt_chroot(const char *tag);
/* Connect to hosts + chroot with short test timeouts; asserts success. */
sm_zk_t *zkt_connect(const char *chroot);
sm_zk_t *zkt_connect_conf(const char *connect, int session_ms,
                          int conn_ms, int op_ms);
/* Wait (bounded) for an event of type (and path, if not NULL); other
 * events are dropped.  NULL on timeout.  Caller destroys the event. */
sm_zk_event_t *zkt_wait_event(sm_zk_t *zk, sm_zk_ev_type_t type,
                              const char *path, int timeout_ms);
/* 1 if the two JSON texts parse to equal values (key order ignored). */
int zkt_json_eq(const char *actual, const char *expected);
/* Scale a timeout by $SAMSA_TEST_TIMEOUT_MULT. */
int zkt_ms(int ms);

#endif
