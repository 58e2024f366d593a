/*
 * group_record.c: encode and decode __consumer_offsets keys and values
 * (layouts and the versions samsa writes: group_record.h).
 *
 * Decoders are strict about what they need and lenient about what
 * follows: bytes after the last field of a known version are ignored, as
 * Kafka's schema reader ignores them.  Array counts are bounded by the
 * bytes left before anything is allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "coordinator/group_record.h"
#include "protocol/codec.h"
#include "protocol/msg.h"

/* Smallest encoded member (v0): three empty strings, the session
 * timeout, two empty BYTES. */
#define SM_GREC_MEMBER_MIN (3 * 2 + 4 + 2 * 4)

void
sm_grec_offset_key_write(sm_buf_t *buf, sm_str_t group, sm_str_t topic,
                         int32_t partition)
{
    sm_wr_i16(buf, SM_GREC_KEY_OFFSET);
    sm_wr_str(buf, group, 0);
    sm_wr_str(buf, topic, 0);
    sm_wr_i32(buf, partition);
}

void
sm_grec_group_key_write(sm_buf_t *buf, sm_str_t group)
{
    sm_wr_i16(buf, SM_GREC_KEY_GROUP);
    sm_wr_str(buf, group, 0);
}

void
sm_grec_offset_value_write(sm_buf_t *buf, const sm_grec_offset_t *o)
{
    /* Kafka never writes a null metadata string: null becomes "". */
    sm_str_t md = o->metadata.len >= 0 ? o->metadata : SM_STR_EMPTY;

    if (o->expire_ts >= 0) {
        sm_wr_i16(buf, 1);
        sm_wr_i64(buf, o->offset);
        sm_wr_str(buf, md, 0);
        sm_wr_i64(buf, o->commit_ts);
        sm_wr_i64(buf, o->expire_ts);
    } else {
        sm_wr_i16(buf, 3);
        sm_wr_i64(buf, o->offset);
        sm_wr_i32(buf, o->leader_epoch);
        sm_wr_str(buf, md, 0);
        sm_wr_i64(buf, o->commit_ts);
    }
}

void
sm_grec_group_value_write(sm_buf_t *buf, const sm_grec_group_t *g)
{
    int16_t v = 1;

    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i].group_instance_id.ptr != NULL)
            v = 3;
    sm_wr_i16(buf, v);
    sm_wr_str(buf, g->protocol_type, 0);
    sm_wr_i32(buf, g->generation);
    sm_wr_str(buf, g->protocol, 0);
    sm_wr_str(buf, g->leader, 0);
    if (v >= 2)
        sm_wr_i64(buf, g->state_ts);
    sm_wr_array_len(buf, g->nmembers, 0);
    for (int32_t i = 0; i < g->nmembers; i++) {
        const sm_grec_member_t *m = &g->members[i];

        sm_wr_str(buf, m->member_id, 0);
        if (v >= 3)
            sm_wr_str(buf, m->group_instance_id.ptr ? m->group_instance_id
                                                    : SM_STR_NULL, 0);
        sm_wr_str(buf, m->client_id, 0);
        sm_wr_str(buf, m->client_host, 0);
        sm_wr_i32(buf, m->rebalance_timeout_ms);
        sm_wr_i32(buf, m->session_timeout_ms);
        sm_wr_bytes(buf, m->subscription, 0);
        sm_wr_bytes(buf, m->assignment, 0);
    }
}

sm_err_t
sm_grec_key_read(sm_bytes_t key, sm_grec_key_t *k)
{
    sm_rd_t rd;

    if (key.len < 0)
        return SM_ERR__BAD_MSG;
    sm_rd_init(&rd, key.ptr, (size_t)key.len);
    k->version = sm_rd_i16(&rd);
    k->group = sm_rd_str(&rd, 0);
    k->topic = SM_STR_NULL;
    k->partition = -1;
    if (k->version == 0 || k->version == 1) {
        k->topic = sm_rd_str(&rd, 0);
        k->partition = sm_rd_i32(&rd);
    } else if (k->version != SM_GREC_KEY_GROUP) {
        return SM_ERR__BAD_MSG;
    }
    return sm_rd_ok(&rd) ? SM_OK : SM_ERR__BAD_MSG;
}

sm_err_t
sm_grec_offset_value_read(sm_bytes_t value, sm_grec_offset_t *o)
{
    sm_rd_t rd;
    int16_t v;

    if (value.len < 0)
        return SM_ERR__BAD_MSG;
    sm_rd_init(&rd, value.ptr, (size_t)value.len);
    v = sm_rd_i16(&rd);
    if (v < 0 || v > 3)
        return SM_ERR__BAD_MSG;
    o->offset = sm_rd_i64(&rd);
    o->leader_epoch = v == 3 ? sm_rd_i32(&rd) : -1;
    o->metadata = sm_rd_str(&rd, 0);
    o->commit_ts = sm_rd_i64(&rd);
    o->expire_ts = v == 1 ? sm_rd_i64(&rd) : -1;
    return sm_rd_ok(&rd) ? SM_OK : SM_ERR__BAD_MSG;
}

static void
sm_grec_member_read(sm_rd_t *rd, int16_t v, sm_grec_member_t *m)
{
    m->member_id = sm_rd_str(rd, 0);
    m->group_instance_id = SM_STR_NULL;
    if (v >= 3)
        m->group_instance_id = sm_rd_nstr(rd, 0);
    if (m->group_instance_id.len < 0)
        m->group_instance_id.ptr = NULL;        /* none */
    m->client_id = sm_rd_str(rd, 0);
    m->client_host = sm_rd_str(rd, 0);
    m->session_timeout_ms = 0;
    m->rebalance_timeout_ms = v >= 1 ? sm_rd_i32(rd) : 0;
    m->session_timeout_ms = sm_rd_i32(rd);
    if (v == 0)
        m->rebalance_timeout_ms = m->session_timeout_ms;
    m->subscription = sm_rd_bytes(rd, 0);
    m->assignment = sm_rd_bytes(rd, 0);
}

sm_err_t
sm_grec_group_value_read(sm_bytes_t value, sm_grec_group_t *g)
{
    sm_rd_t rd;
    int16_t v;
    int32_t n;

    g->nmembers = 0;
    g->members = NULL;
    if (value.len < 0)
        return SM_ERR__BAD_MSG;
    sm_rd_init(&rd, value.ptr, (size_t)value.len);
    v = sm_rd_i16(&rd);
    if (v < 0 || v > 3)
        return SM_ERR__BAD_MSG;
    g->protocol_type = sm_rd_str(&rd, 0);
    g->generation = sm_rd_i32(&rd);
    g->protocol = sm_rd_nstr(&rd, 0);
    g->leader = sm_rd_nstr(&rd, 0);
    g->state_ts = v >= 2 ? sm_rd_i64(&rd) : -1;
    n = sm_rd_array(&rd, 0, SM_GREC_MEMBER_MIN);
    if (!sm_rd_ok(&rd) || n < 0)
        return SM_ERR__BAD_MSG;
    g->members = sm_calloc((size_t)n + 1, sizeof(*g->members));
    g->nmembers = n;
    for (int32_t i = 0; i < n && sm_rd_ok(&rd); i++)
        sm_grec_member_read(&rd, v, &g->members[i]);
    if (!sm_rd_ok(&rd)) {
        sm_grec_group_free(g);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

int
sm_grec_subscription_has(sm_bytes_t sub, sm_str_t topic)
{
    sm_rd_t rd;
    int32_t n;
    int found = 0;

    if (sub.len < 0)
        return -1;
    sm_rd_init(&rd, sub.ptr, (size_t)sub.len);
    if (sm_rd_i16(&rd) < 0)
        return -1;
    n = sm_rd_array(&rd, 0, 2);
    for (int32_t i = 0; i < n && sm_rd_ok(&rd); i++) {
        sm_str_t t = sm_rd_str(&rd, 0);

        if (sm_rd_ok(&rd) && t.len == topic.len &&
            memcmp(t.ptr, topic.ptr, (size_t)t.len) == 0)
            found = 1;
    }
    return sm_rd_ok(&rd) && n >= 0 ? found : -1;
}

void
sm_grec_group_free(sm_grec_group_t *g)
{
    free(g->members);
    g->members = NULL;
    g->nmembers = 0;
}
