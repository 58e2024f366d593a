/*
 * admin_harness.h: drive the admin request handlers (CreateTopics,
 * DeleteTopics, CreatePartitions, DescribeConfigs) without a network.
 *
 * A test builds a minimal broker - a finished config, a real ZooKeeper
 * session under a fresh chroot (t/lib/zk.sh via zkt.h), a metadata cache
 * it fills by hand, the admin purgatory - then hands the handler a request
 * frame written with the client-side _write codec, exactly as
 * sm_broker_handle() would, and reads back the response bytes.
 *
 * THE SEAM.  Handlers finish a request through sm_reqctx_begin / _send /
 * _close (kafka_apis.c), which end in sm_net_respond().  kafka_apis.c is
 * not in libsamsa.a yet (its dispatch table needs every handler, and
 * Fetch's needs the log layer), so admin_harness.c defines those five
 * functions itself, mirroring kafka_apis.c line for line except that the
 * finished response is captured instead of queued for a network thread.
 * The linker takes the test's definitions first; nothing the test links
 * pulls kafka_apis.o (it defines only these and sm_broker_handle).
 * Responses may be captured on any thread (a delayed operation completes
 * on the purgatory's timer thread or the one poking it); ah_wait() blocks,
 * bounded, until one arrives.
 */
#ifndef SM_TEST_ADMIN_HARNESS_H
#define SM_TEST_ADMIN_HARNESS_H

#include "common/sm_buf.h"
#include "server/broker.h"
#include "zk/kafka_zk.h"

typedef struct ah {
    sm_broker_t  b;
    sm_config_t *cfg;
} ah_t;

/* A captured response: the bytes after the size prefix. */
typedef struct ah_resp {
    int       closed;       /* sm_reqctx_close was called */
    uint8_t  *data;
    size_t    len;
} ah_resp_t;

/* A broker with id 1 and config props_text (zookeeper.connect is added),
 * connected to a fresh chroot with Kafka's top-level paths.  The cache
 * holds live brokers ids[0..n) (racks[i] may be NULL; racks may be NULL)
 * and controller_id. */
void ah_init(ah_t *h, const char *props_text, const int32_t *ids,
             const char *const *racks, int n, int32_t controller_id);
void ah_fini(ah_t *h);
/* Replace the live brokers / controller (partition states are kept). */
void ah_set_brokers(ah_t *h, const int32_t *ids, const char *const *racks,
                    int n, int32_t controller_id);

/* Request body writer: one of the sm_<Api>Request_write functions. */
typedef void (*ah_write_fn)(sm_buf_t *buf, int16_t version, const void *m);

/* Build the frame, call sm_handle_<Api>; returns without waiting. */
void ah_send(ah_t *h, int16_t key, int16_t version, ah_write_fn wr,
             const void *req);
/* A raw body (e.g. truncated) instead of a written one. */
void ah_send_raw(ah_t *h, int16_t key, int16_t version, const void *body,
                 size_t len);
/* The next captured response, waiting at most timeout_ms (scaled by
 * SAMSA_TEST_TIMEOUT_MULT); NULL if none came. */
ah_resp_t *ah_wait(int timeout_ms);
/* Whether a response is already captured (no waiting). */
int        ah_pending(void);
void       ah_resp_free(ah_resp_t *r);
/* A reader positioned at the body of r, after checking its header. */
sm_rd_t    ah_body(const ah_resp_t *r, int16_t key, int16_t version);

/* Publish leaders for every partition of topic as the controller would
 * after reading /brokers/topics/<t> (leader = first replica), then poke
 * the admin purgatory. */
void ah_elect(ah_t *h, const char *topic);
/* Publish the topic's deletion (leader -2 for each partition in the cache),
 * then poke the purgatory. */
void ah_drop(ah_t *h, const char *topic);
/* Put topic with n partitions (leader = broker 1) into the cache only. */
void ah_cache_topic(ah_t *h, const char *topic, int32_t n);

/* ZooKeeper: raw znode text (heap, NULL if missing); assignment. */
char    *ah_zk_get(ah_t *h, const char *path);
int      ah_zk_exists(ah_t *h, const char *path);
/* Create a topic directly in ZooKeeper with n partitions, replicas
 * reps[0..rf) for each (rotated by partition), and cache it with leaders. */
void     ah_make_topic(ah_t *h, const char *topic, int32_t n,
                       const int32_t *reps, int rf);

#endif
