/*
 * assignor_int.h: what assignor.c, assignor_sticky.c and
 * consumer_protocol.c share and nobody else needs.
 *
 * THE CONTEXT.  Every assignor first builds an sm_asg_ctx_t from its input:
 * the topics worth assigning (named in topics[] with a partition count > 0
 * and subscribed by at least one member; one entry per name, the first
 * wins; sorted by name) and a member x topic subscription matrix.  A
 * partition is then a number: tbase[t] + partition, so ascending numbers
 * are (topic, partition) order.  An assignor decides owner[] (member index
 * per partition, -1: nobody) and sm_asg_ctx_emit() turns that into the
 * sorted per-member arrays of sm_asg_out_t.
 *
 * Names compare with strcmp: Java compares UTF-16 code units, which agrees
 * with byte order for every legal topic name and every ASCII member id.
 *
 * Pure functions, no threads.
 */
#ifndef SM_CLIENT_ASSIGNOR_INT_H
#define SM_CLIENT_ASSIGNOR_INT_H

#include <stdint.h>

#include "client/assignor.h"
#include "protocol/codec.h"

typedef struct sm_asg_ctx {
    const sm_asg_member_t *members;
    int          nm;
    const char **tname;         /* [nt] borrowed from the topics argument */
    int32_t     *tcnt;          /* [nt] partition counts */
    int32_t     *tbase;         /* [nt] first global partition number */
    int          nt;
    int32_t      np;            /* total partitions */
    uint8_t     *sub;           /* [nm * nt]: member m subscribes topic t */
} sm_asg_ctx_t;

void    sm_asg_ctx_init(sm_asg_ctx_t *ctx, const sm_asg_member_t *members,
                        int nm, const sm_asg_topic_t *topics, int ntopics);
void    sm_asg_ctx_fini(sm_asg_ctx_t *ctx);
/* Topic index of a name, -1 if not assignable. */
int     sm_asg_ctx_topic(const sm_asg_ctx_t *ctx, const char *name);
/* Global number of (topic, partition), -1 if it does not exist. */
int32_t sm_asg_ctx_part(const sm_asg_ctx_t *ctx, const char *topic,
                        int32_t partition);
/* Topic index of global partition p. */
int     sm_asg_ctx_topic_of(const sm_asg_ctx_t *ctx, int32_t p);
static inline int
sm_asg_ctx_subs(const sm_asg_ctx_t *ctx, int m, int t)
{
    return ctx->sub[(size_t)m * (size_t)ctx->nt + (size_t)t];
}
/* out[m] = the partitions p with owner[p] == m, in (topic, partition)
 * order. */
void    sm_asg_ctx_emit(const sm_asg_ctx_t *ctx, const int *owner,
                        sm_asg_out_t *out);

/* Member indices in Java's MemberInfo order (group.instance.id first and
 * by it, then member id) when by_instance, else by member id alone. */
void    sm_asg_member_order(const sm_asg_member_t *members, int nm,
                            int by_instance, int *order);

extern const sm_assignor_t sm_assignor_sticky;

/* consumer_protocol.c */
int      sm_asg_tp_cmp(const void *a, const void *b);
void     sm_asg_tps_sort_unique(samsa_topic_partition_t *v, int *np);
sm_err_t sm_asg_read_tps(sm_rd_t *rd, samsa_topic_partition_t **tpsp,
                         int *ntpsp);
void     sm_asg_write_tps(sm_buf_t *out, const samsa_topic_partition_t *tps,
                          int ntps);
sm_err_t sm_asg_sticky_data_read(sm_bytes_t b,
                                 samsa_topic_partition_t **ownedp,
                                 int *nownedp, int32_t *generationp);

#endif
