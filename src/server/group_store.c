/*
 * group_store.c: the group coordinator's I/O on __consumer_offsets
 * (Kafka's GroupMetadataManager.storeOffsets/storeGroup appends and
 * loadGroupsAndOffsets), connecting coordinator/coordinator.c to the
 * replica manager.
 *
 * APPEND.  sm_gstore_append (the coordinator's sm_coord_append_fn) wraps
 * the records in one RecordBatch v2 (offsets.topic.compression.codec,
 * CreateTime = now) and appends it through the partition leader with
 * acks = offsets.commit.required.acks and the topic's
 * min.insync.replicas.  It runs with the coordinator lock held (lock
 * order: coordinator -> partition -> log); the append is synchronous, so
 * the commit is acknowledged only once the batch is in the log.  Errors
 * are mapped as Kafka maps them for OffsetCommit.
 *
 * LOAD.  sm_gstore_leadership (from LeaderAndIsr, on the controller's
 * thread or a remote control request's handler) loads every offsets
 * partition this broker now leads: the coordinator answers
 * COORDINATOR_LOAD_IN_PROGRESS for its groups until the whole log, start
 * to end, has been replayed.  Chunks of offsets.load.buffer.size bytes
 * are copied out under the partition lock and replayed without it, so no
 * partition lock is ever held while the coordinator lock is taken.
 * Control batches are skipped.  Partitions this broker no longer leads,
 * and stopped replicas, are unloaded.  The load runs synchronously:
 * offsets partitions are small (compacted, offsets.topic.segment.bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "coordinator/coordinator.h"
#include "protocol/records.h"
#include "server/broker.h"
#include "server/group_store.h"
#include "server/topic_config_cache.h"

#define SM_GSTORE_TOPIC "__consumer_offsets"

/* Kafka's error translation for offset and group appends. */
static sm_err_t
sm_gstore_map_err(sm_err_t err)
{
    switch (err) {
    case SM_OK:
        return SM_OK;
    case SM_ERR_UNKNOWN_TOPIC_OR_PARTITION:
    case SM_ERR_NOT_ENOUGH_REPLICAS:
    case SM_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case SM_ERR_REQUEST_TIMED_OUT:
        return SM_ERR_COORDINATOR_NOT_AVAILABLE;
    case SM_ERR_NOT_LEADER_FOR_PARTITION:
    case SM_ERR_KAFKA_STORAGE_ERROR:
        return SM_ERR_NOT_COORDINATOR;
    case SM_ERR_MESSAGE_TOO_LARGE:
    case SM_ERR_RECORD_LIST_TOO_LARGE:
    case SM_ERR_INVALID_FETCH_SIZE:
        return SM_ERR_INVALID_COMMIT_OFFSET_SIZE;
    default:
        return err < 0 ? SM_ERR_UNKNOWN_SERVER_ERROR : err;
    }
}

int32_t
sm_gstore_min_isr(struct sm_broker *b)
{
    sm_tcfg_t *t = NULL;
    int32_t min_isr = 1;

    if (sm_tcfg_get(b->tcfg, SM_GSTORE_TOPIC, &t) == SM_OK && t != NULL) {
        min_isr = t->tc.min_insync_replicas;
        sm_tcfg_release(b->tcfg, t);
    }
    return min_isr;
}

sm_err_t
sm_gstore_append(void *opaque, int32_t part, const sm_coord_rec_t *recs,
                 int n)
{
    sm_broker_t *b = opaque;
    sm_batch_builder_t bb;
    sm_append_result_t ar;
    sm_buf_t buf = SM_BUF_INIT;
    sm_partition_t *p;
    int64_t now = sm_now_ms();
    sm_err_t err;

    p = sm_rm_get(b->rm, SM_GSTORE_TOPIC, part);
    if (p == NULL)
        return SM_ERR_NOT_COORDINATOR;
    sm_batch_builder_init(&bb, &buf, 2,
                          (sm_codec_t)b->cfg->offsets_topic_compression_codec,
                          0);
    for (int i = 0; i < n; i++)
        sm_batch_builder_add(&bb, now, recs[i].key,
                             recs[i].value.ptr ? recs[i].value
                                               : SM_BYTES_NULL, NULL, 0);
    err = sm_batch_builder_finish(&bb);
    if (err == SM_OK)
        err = sm_rm_append(b->rm, p, buf.data, buf.len,
                           b->cfg->offsets_commit_required_acks,
                           sm_gstore_min_isr(b), 0, &ar);
    if (err != SM_OK)
        sm_warn("coordinator", "append of %d records to %s-%d failed: %s",
                n, SM_GSTORE_TOPIC, (int)part, sm_err_name(err));
    sm_buf_fini(&buf);
    sm_partition_release(p);
    return sm_gstore_map_err(err);
}

/* Copy up to max bytes of whole batches from offset *off (the partition
 * lock is held only for the copy).  *len 0: nothing more. */
static sm_err_t
sm_gstore_read_chunk(sm_partition_t *p, int64_t off, size_t max,
                     uint8_t **data, size_t *len)
{
    sm_log_slice_t sl;
    sm_err_t err = SM_OK;

    memset(&sl, 0, sizeof(sl));
    *data = NULL;
    *len = 0;
    pthread_rwlock_rdlock(&p->lock);
    if (p->log == NULL || p->stopped)
        err = SM_ERR_NOT_LEADER_FOR_PARTITION;
    else if (off < sm_log_end_offset(p->log))
        err = sm_log_read(p->log, off, max, INT64_MAX, 1, &sl);
    if (err == SM_OK && sl.len > 0) {
        *data = sm_malloc(sl.len);
        err = sm_log_slice_read(&sl, *data);
        *len = err == SM_OK ? sl.len : 0;
    }
    if (sl.seg != NULL)
        sm_log_slice_release(&sl);
    pthread_rwlock_unlock(&p->lock);
    return err;
}

/* Replay one chunk; returns the offset after its last whole batch. */
static int64_t
sm_gstore_replay(sm_broker_t *b, int32_t part, const uint8_t *data,
                 size_t len, int64_t off)
{
    sm_batch_iter_t it;
    sm_batch_t bt;

    sm_batch_iter_init(&it, data, len);
    while (sm_batch_next(&it, &bt)) {
        sm_rec_iter_t ri;
        sm_record_t rec;

        off = bt.last_offset + 1;
        if (bt.magic >= 2 && (bt.attributes & SM_ATTR_CONTROL))
            continue;
        if (sm_rec_iter_init(&ri, &bt, (size_t)b->cfg->
                             offsets_load_buffer_size * 4) == SM_OK)
            while (sm_rec_iter_next(&ri, &rec))
                sm_coord_load_record(b->coord, part, rec.key, rec.value);
        if (ri.err != SM_OK)
            sm_warn("coordinator", "%s-%d: batch at %lld unreadable (%s), "
                    "skipped", SM_GSTORE_TOPIC, (int)part,
                    (long long)bt.base_offset, sm_err_name(ri.err));
        sm_rec_iter_fini(&ri);
    }
    return off;
}

static void
sm_gstore_load(sm_broker_t *b, int32_t part, int32_t npart)
{
    sm_partition_t *p = sm_rm_get(b->rm, SM_GSTORE_TOPIC, part);
    int64_t off, start = sm_mono_ms();
    size_t max = (size_t)b->cfg->offsets_load_buffer_size;
    int ngroups;

    sm_info("coordinator", "Loading offsets and group metadata from "
            "%s-%d", SM_GSTORE_TOPIC, (int)part);
    sm_coord_load_begin(b->coord, part, npart);
    if (p == NULL)
        goto out;
    pthread_rwlock_rdlock(&p->lock);
    off = p->log ? sm_log_start_offset(p->log) : 0;
    pthread_rwlock_unlock(&p->lock);
    for (;;) {
        uint8_t *data;
        size_t len;
        int64_t next;
        sm_err_t err = sm_gstore_read_chunk(p, off, max, &data, &len);

        if (err != SM_OK) {
            sm_error("coordinator", "loading %s-%d stopped at offset %lld: "
                     "%s", SM_GSTORE_TOPIC, (int)part, (long long)off,
                     sm_err_name(err));
            free(data);
            break;
        }
        if (len == 0)
            break;
        next = sm_gstore_replay(b, part, data, len, off);
        free(data);
        if (next <= off)                /* no whole batch: stop, not spin */
            break;
        off = next;
    }
    sm_partition_release(p);
out:
    ngroups = sm_coord_load_done(b->coord, part);
    sm_info("coordinator", "Finished loading offsets and group metadata "
            "from %s-%d in %lld milliseconds (%d groups)", SM_GSTORE_TOPIC,
            (int)part, (long long)(sm_mono_ms() - start), ngroups);
}

/* Partitions of __consumer_offsets: the metadata cache's count, else the
 * configured one (a LeaderAndIsr may precede the UpdateMetadata). */
static int32_t
sm_gstore_npart(sm_broker_t *b)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    const sm_md_topic_t *t = sm_mdsnap_topic(snap, SM_GSTORE_TOPIC);
    int32_t n = t ? t->npartitions : b->cfg->offsets_topic_num_partitions;

    sm_mdsnap_release(b->mdcache, snap);
    return n;
}

void
sm_gstore_leadership(sm_broker_t *b, const sm_pstate_t *states, int n,
                     const sm_err_t *errs)
{
    int32_t npart = -1;

    if (b->coord == NULL)
        return;
    for (int i = 0; i < n; i++) {
        if (strcmp(states[i].topic, SM_GSTORE_TOPIC) != 0)
            continue;
        if (npart < 0)
            npart = sm_gstore_npart(b);
        if (errs[i] == SM_OK && states[i].leader == b->id &&
            states[i].partition < npart)
            sm_gstore_load(b, states[i].partition, npart);
        else
            sm_coord_unload(b->coord, states[i].partition);
    }
}

void
sm_gstore_stopped(sm_broker_t *b, const char *topic, int32_t partition)
{
    if (b->coord != NULL && strcmp(topic, SM_GSTORE_TOPIC) == 0)
        sm_coord_unload(b->coord, partition);
}
