/*
 * reassign.h: what the files of samsa-reassign-partitions share
 * (bin/kafka-reassign-partitions.sh, Kafka 2.4's ReassignPartitionsCommand,
 * --zookeeper mode).
 *
 *   samsa-reassign-partitions.c  options, main, the JSON files, --generate
 *   reassign_exec.c              --execute (throttle included), --verify
 *
 * A "plan" is a list of (topic, partition, replicas) - sm_zk_tps_t with
 * replicas, the type of /admin/reassign_partitions - kept sorted by topic
 * then partition so output is deterministic (Kafka prints hash-map order).
 *
 * Errors: a failed step records Kafka's message in rp_ctx_t.err and
 * returns -1; main prints "Partitions reassignment failed due to <msg>"
 * on stdout, as Kafka does, and exits 1 (Kafka 2.4 exits 0 there; 2.5
 * and later exit 1, which scripts can rely on).
 */
#ifndef SM_TOOLS_REASSIGN_H
#define SM_TOOLS_REASSIGN_H

#include <stdint.h>

#include "zk/kafka_zk.h"

typedef struct rp_ctx {
    sm_zk_t    *zk;
    const char *zookeeper;
    const char *reassignment_file;
    const char *topics_file;
    const char *broker_list;
    int         disable_rack_aware;
    int64_t     throttle;           /* --throttle, -1: none */
    char       *err;                /* the failure message (heap) */
} rp_ctx_t;

/* Record the failure message; returns -1. */
int  rp_fail(rp_ctx_t *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Plans. */
void rp_sort(sm_zk_tps_t *l);
int  rp_cmp_tp(const sm_zk_tp_t *a, const sm_zk_tp_t *b);
/* The {"version":1,"partitions":[...replicas, log_dirs "any"...]} JSON
 * Kafka's formatAsReassignmentJson prints; caller frees. */
char *rp_format_json(const sm_zk_tps_t *l);
/* Current assignment of every partition of the topics named in l (or of
 * the names in topics/ntopics), appended to *out, sorted. */
int  rp_current(rp_ctx_t *ctx, const char *const *topics, int ntopics,
                sm_zk_tps_t *out);
/* Read a whole file (bounded); caller frees.  NULL after rp_fail. */
char *rp_read_file(rp_ctx_t *ctx, const char *path, int *len);
/* parseAndValidate: the reassignment file into *plan, checked against
 * ZooKeeper (partitions and brokers exist). */
int  rp_parse_validate(rp_ctx_t *ctx, sm_zk_tps_t *plan);

/* reassign_exec.c */
int  rp_execute(rp_ctx_t *ctx);
int  rp_verify(rp_ctx_t *ctx);

#endif
