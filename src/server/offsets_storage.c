/*
 * offsets_storage.c: offsets.storage for OffsetCommit/OffsetFetch v1+
 * (modes and fallbacks: offsets_storage.h).
 *
 * The mode is read from the effective broker config (server.properties
 * plus dynamic configs, dynamic_config.h) at every request, so
 * kafka-configs.sh switching offsets.storage takes effect at the next
 * request, without a restart.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/dynamic_config.h"
#include "server/offsets_storage.h"
#include "zk/kafka_zk.h"

sm_ostore_mode_t
sm_ostore_mode(const sm_broker_t *b)
{
    switch (sm_broker_offsets_storage(b)) {
    case SM_OFFSETS_STORAGE_ZOOKEEPER:
        return SM_OSTORE_ZOOKEEPER;
    case SM_OFFSETS_STORAGE_DUAL:
        return SM_OSTORE_DUAL;
    default:
        return SM_OSTORE_KAFKA;
    }
}

void
sm_ostore_zk_commit(sm_reqctx_t *ctx, const char *gid, sm_coord_commit_t *c,
                    int n)
{
    for (int k = 0; k < n; k++) {
        char *topic;
        sm_err_t err;

        if (c[k].err != SM_OK)
            continue;
        topic = sm_str_dup(c[k].topic);
        err = sm_zk_set_consumer_offset(ctx->b->zk, gid, topic,
                                        c[k].partition, c[k].offset);
        if (err != SM_OK) {
            sm_warn("coordinator", "writing the offset of group %s for "
                    "%s-%d to ZooKeeper failed: %s", gid, topic,
                    (int)c[k].partition, sm_err_name(err));
            c[k].err = SM_ERR_UNKNOWN_SERVER_ERROR;
        }
        free(topic);
    }
}

/* The ZooKeeper offset, or -1 (missing, or unreadable: logged). */
static int64_t
sm_ostore_zk_get(sm_reqctx_t *ctx, const char *gid, sm_str_t topic,
                 int32_t partition)
{
    char *t = sm_str_dup(topic);
    int64_t off = -1;
    sm_err_t err = t ? sm_zk_get_consumer_offset(ctx->b->zk, gid, t,
                                                 partition, &off)
                     : SM_ERR__NOENT;

    if (err != SM_OK && err != SM_ERR__NOENT)
        sm_warn("coordinator", "reading the offset of group %s for %s-%d "
                "from ZooKeeper failed: %s", gid, t, (int)partition,
                sm_err_name(err));
    free(t);
    return err == SM_OK ? off : -1;
}

int64_t
sm_ostore_fetch(sm_reqctx_t *ctx, sm_ostore_mode_t mode, const char *gid,
                sm_str_t topic, int32_t partition, char **md)
{
    int64_t k = -1, z = -1;

    *md = NULL;
    if (mode != SM_OSTORE_ZOOKEEPER)
        k = sm_coord_fetch(ctx->b->coord, gid, topic, partition, md);
    if (mode == SM_OSTORE_KAFKA && k >= 0)
        return k;
    z = sm_ostore_zk_get(ctx, gid, topic, partition);
    if (mode == SM_OSTORE_ZOOKEEPER && z < 0)
        k = sm_coord_fetch(ctx->b->coord, gid, topic, partition, md);
    if (z > k) {                        /* ZooKeeper's wins: no metadata */
        free(*md);
        *md = NULL;
        return z;
    }
    return k;
}
