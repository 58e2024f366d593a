/*
 * group.c: one consumer group's membership and rebalance state machine.
 * States, time and callback rules are in group.h; the behaviour is that of
 * Kafka's GroupCoordinator (ZooKeeper-mode tree) for the classic protocol,
 * without static membership (GroupInstanceId) and without the offsets
 * themselves (coordinator.c keeps those).
 *
 * Kafka's rules kept here, by entry point:
 *   join, new member     INCONSISTENT_GROUP_PROTOCOL unless the protocol
 *                        type matches and one protocol is shared by all;
 *                        v4+ (require_known_member_id): the id is only
 *                        handed out (MEMBER_ID_REQUIRED) and kept pending
 *                        for one session timeout; else member added and
 *                        rebalance started.  The first member leads.
 *   join, known member   PreparingRebalance: parked until all rejoined;
 *                        CompletingRebalance with the same protocols:
 *                        current generation at once; Stable: the leader or
 *                        changed protocols rebalance, others get the
 *                        current generation at once.
 *   sync                 wrong generation ILLEGAL_GENERATION; Preparing
 *                        REBALANCE_IN_PROGRESS; Completing: parked until
 *                        the leader's sync hands out assignments (members
 *                        it left out get empty ones) and makes it Stable.
 *   heartbeat            Preparing: REBALANCE_IN_PROGRESS (tells the
 *                        member to rejoin); Empty: UNKNOWN_MEMBER_ID.
 *   expiry / leave       parked answers get UNKNOWN_MEMBER_ID; Stable and
 *                        Completing groups rebalance; a Preparing group
 *                        may now be complete.
 * Members awaiting a JoinGroup or SyncGroup answer do not expire (Kafka
 * keeps rescheduling their heartbeat while a rebalance runs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "coordinator/group.h"

typedef struct grp_proto {
    char    *name;
    uint8_t *md;
    int32_t  md_len;
} grp_proto_t;

typedef struct grp_member {
    char          *id;
    char          *instance_id;     /* static membership; NULL: dynamic */
    char          *client_id;
    char          *client_host;
    int32_t        session_timeout_ms;
    int32_t        rebalance_timeout_ms;
    int            nprotos;
    grp_proto_t   *protos;
    uint8_t       *assign;
    int32_t        assign_len;
    int64_t        hb_deadline;
    sm_grp_join_fn join_cb;         /* non-NULL: a JoinGroup is parked */
    void          *join_arg;
    sm_grp_sync_fn sync_cb;         /* non-NULL: a SyncGroup is parked */
    void          *sync_arg;
} grp_member_t;

typedef struct grp_pending {
    char   *id;
    int64_t deadline;
} grp_pending_t;

struct sm_grp {
    char           *id;
    sm_grp_conf_t   conf;
    sm_grp_state_t  state;
    int32_t         generation;
    char           *protocol_type;      /* NULL: none */
    char           *protocol;           /* NULL: none */
    char           *leader;             /* NULL: none; points at a member */
    grp_member_t  **members;
    int             nmembers;
    grp_pending_t  *pending;
    int             npending;
    int64_t         join_deadline;      /* PreparingRebalance only */
    int             initial_delay;      /* the join deadline is a delay */
    int             new_member_added;
    int64_t         initial_remaining;
    sm_grp_store_fn store;              /* NULL: nothing to persist */
    void           *store_arg;
};

static const char *const grp_state_names[] = {
    "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead",
};

const char *
sm_grp_state_name(sm_grp_state_t st)
{
    return (unsigned)st <= SM_GRP_DEAD ? grp_state_names[st] : "?";
}

/* Kafka's validPreviousStates, as "may `to` follow `from`". */
static int
grp_edge_ok(sm_grp_state_t from, sm_grp_state_t to)
{
    switch (to) {
    case SM_GRP_PREPARING_REBALANCE:
        return from == SM_GRP_STABLE || from == SM_GRP_COMPLETING_REBALANCE
            || from == SM_GRP_EMPTY;
    case SM_GRP_COMPLETING_REBALANCE:
        return from == SM_GRP_PREPARING_REBALANCE;
    case SM_GRP_STABLE:
        return from == SM_GRP_COMPLETING_REBALANCE;
    case SM_GRP_EMPTY:
        return from == SM_GRP_PREPARING_REBALANCE;
    case SM_GRP_DEAD:
        return from != SM_GRP_DEAD;
    }
    return 0;
}

static void
sm_grp_set_state(sm_grp_t *grp, sm_grp_state_t to)
{
    sm_assert(grp_edge_ok(grp->state, to));
    sm_info("coordinator", "group %s: %s -> %s (generation %d)", grp->id,
            sm_grp_state_name(grp->state), sm_grp_state_name(to),
            (int)grp->generation);
    grp->state = to;
}

/* ------------------------------------------------------------ members */

static char *
grp_strdup(sm_str_t s)
{
    char *p = sm_malloc((size_t)(s.len > 0 ? s.len : 0) + 1);

    if (s.len > 0)
        memcpy(p, s.ptr, (size_t)s.len);
    p[s.len > 0 ? s.len : 0] = '\0';
    return p;
}

static int
grp_str_is(sm_str_t s, const char *c)
{
    return c != NULL && s.len >= 0 && strlen(c) == (size_t)s.len &&
           memcmp(s.ptr, c, (size_t)s.len) == 0;
}

/* "<client_id>-<random UUID>", as Kafka names members. */
static char *
grp_new_member_id(sm_str_t client_id)
{
    uint8_t r[16] = { 0 };
    char *id = sm_malloc((size_t)(client_id.len > 0 ? client_id.len : 0)
                         + 38);
    int n;

    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
        sm_warn("coordinator", "getrandom() failed: member id less random");
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    n = sprintf(id, "%.*s-", SM_STR_ARG(client_id));
    for (int i = 0; i < 16; i++)
        n += sprintf(id + n, "%s%02x",
                     i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", r[i]);
    return id;
}

static void
grp_protos_free(grp_member_t *m)
{
    for (int i = 0; i < m->nprotos; i++) {
        free(m->protos[i].name);
        free(m->protos[i].md);
    }
    free(m->protos);
    m->protos = NULL;
    m->nprotos = 0;
}

static void
grp_protos_set(grp_member_t *m, int n, const sm_grp_proto_t *p)
{
    grp_protos_free(m);
    m->protos = sm_calloc((size_t)(n > 0 ? n : 1), sizeof(*m->protos));
    m->nprotos = n;
    for (int i = 0; i < n; i++) {
        int32_t len = p[i].metadata.len > 0 ? p[i].metadata.len : 0;

        m->protos[i].name = grp_strdup(p[i].name);
        m->protos[i].md = sm_malloc((size_t)len + 1);
        if (len > 0)
            memcpy(m->protos[i].md, p[i].metadata.ptr, (size_t)len);
        m->protos[i].md_len = len;
    }
}

static int
grp_protos_match(const grp_member_t *m, int n, const sm_grp_proto_t *p)
{
    if (m->nprotos != n)
        return 0;
    for (int i = 0; i < n; i++) {
        int32_t len = p[i].metadata.len > 0 ? p[i].metadata.len : 0;

        if (!grp_str_is(p[i].name, m->protos[i].name) ||
            len != m->protos[i].md_len ||
            (len > 0 && memcmp(p[i].metadata.ptr, m->protos[i].md,
                               (size_t)len) != 0))
            return 0;
    }
    return 1;
}

static const grp_proto_t *
grp_member_proto(const grp_member_t *m, const char *name)
{
    for (int i = 0; name != NULL && i < m->nprotos; i++)
        if (strcmp(m->protos[i].name, name) == 0)
            return &m->protos[i];
    return NULL;
}

static grp_member_t *
grp_find(const sm_grp_t *grp, sm_str_t id)
{
    for (int i = 0; i < grp->nmembers; i++)
        if (grp_str_is(id, grp->members[i]->id))
            return grp->members[i];
    return NULL;
}

/* The static member registered under instance id, or NULL. */
static grp_member_t *
grp_find_instance(const sm_grp_t *grp, sm_str_t instance)
{
    if (instance.len <= 0)
        return NULL;
    for (int i = 0; i < grp->nmembers; i++)
        if (grp->members[i]->instance_id != NULL &&
            grp_str_is(instance, grp->members[i]->instance_id))
            return grp->members[i];
    return NULL;
}

static int
grp_find_pending(const sm_grp_t *grp, sm_str_t id)
{
    for (int i = 0; i < grp->npending; i++)
        if (grp_str_is(id, grp->pending[i].id))
            return i;
    return -1;
}

static void
grp_pending_remove(sm_grp_t *grp, int i)
{
    free(grp->pending[i].id);
    grp->pending[i] = grp->pending[--grp->npending];
}

static void
grp_member_free(grp_member_t *m)
{
    grp_protos_free(m);
    free(m->instance_id);
    free(m->id);
    free(m->client_id);
    free(m->client_host);
    free(m->assign);
    free(m);
}

/* ---------------------------------------------------- parked answers */

static void
grp_answer_join_err(grp_member_t *m, sm_err_t err)
{
    sm_grp_join_result_t res = { err, -1, "", "", m->id, 0, NULL };
    sm_grp_join_fn cb = m->join_cb;

    m->join_cb = NULL;
    if (cb != NULL)
        cb(m->join_arg, &res);
}

static void
grp_answer_sync(grp_member_t *m, sm_err_t err)
{
    sm_grp_sync_fn cb = m->sync_cb;
    sm_bytes_t a = { m->assign, err == SM_OK ? m->assign_len : 0 };

    m->sync_cb = NULL;
    if (err != SM_OK || a.ptr == NULL)
        a = (sm_bytes_t){ (const uint8_t *)"", 0 };
    if (cb != NULL)
        cb(m->sync_arg, err, a);
}

/* Kafka's resetAndPropagateAssignmentError. */
static void
grp_reset_assignments(sm_grp_t *grp, sm_err_t err)
{
    for (int i = 0; i < grp->nmembers; i++) {
        grp_member_t *m = grp->members[i];

        free(m->assign);
        m->assign = NULL;
        m->assign_len = 0;
        grp_answer_sync(m, err);
    }
}

/* ------------------------------------------------- protocol selection */

/* Does every member offer protocol `name`? */
static int
grp_all_support(const sm_grp_t *grp, const char *name)
{
    for (int i = 0; i < grp->nmembers; i++)
        if (grp_member_proto(grp->members[i], name) == NULL)
            return 0;
    return 1;
}

/* Kafka's supportsProtocols: the type matches and one of `p` is offered
 * by every current member (an Empty group accepts any non-empty list). */
static int
grp_supports(const sm_grp_t *grp, sm_str_t type, int n,
             const sm_grp_proto_t *p)
{
    if (grp->state == SM_GRP_EMPTY || grp->nmembers == 0)
        return type.len > 0 && n > 0;
    if (!grp_str_is(type, grp->protocol_type))
        return 0;
    for (int i = 0; i < n; i++) {
        char *name = grp_strdup(p[i].name);
        int ok = grp_all_support(grp, name);

        free(name);
        if (ok)
            return 1;
    }
    return 0;
}

/* Kafka's selectProtocol: among the protocols every member offers, each
 * member votes for the first of its own list; most votes wins (ties: the
 * earlier in the first member's list). */
static const char *
grp_select_protocol(const sm_grp_t *grp)
{
    const grp_member_t *first = grp->members[0];
    const char *best = NULL;
    int best_votes = -1;

    for (int c = 0; c < first->nprotos; c++) {
        const char *cand = first->protos[c].name;
        int votes = 0;

        if (!grp_all_support(grp, cand))
            continue;
        for (int i = 0; i < grp->nmembers; i++) {
            const grp_member_t *m = grp->members[i];

            for (int k = 0; k < m->nprotos; k++) {
                if (!grp_all_support(grp, m->protos[k].name))
                    continue;
                votes += strcmp(m->protos[k].name, cand) == 0;
                break;
            }
        }
        if (votes > best_votes) {
            best = cand;
            best_votes = votes;
        }
    }
    return best;
}

/* ---------------------------------------------------------- rebalance */

static int32_t
grp_rebalance_timeout(const sm_grp_t *grp)
{
    int32_t t = 0;

    for (int i = 0; i < grp->nmembers; i++)
        if (grp->members[i]->rebalance_timeout_ms > t)
            t = grp->members[i]->rebalance_timeout_ms;
    return t;
}

static void
grp_prepare_rebalance(sm_grp_t *grp, int64_t now)
{
    int32_t timeout = grp_rebalance_timeout(grp);

    if (grp->state == SM_GRP_COMPLETING_REBALANCE)
        grp_reset_assignments(grp, SM_ERR_REBALANCE_IN_PROGRESS);
    if (grp->state == SM_GRP_EMPTY) {
        int32_t delay = grp->conf.initial_rebalance_delay_ms;

        grp->initial_delay = 1;
        grp->new_member_added = 0;
        grp->initial_remaining = timeout > delay ? timeout - delay : 0;
        grp->join_deadline = now + delay;
    } else {
        grp->initial_delay = 0;
        grp->join_deadline = now + timeout;
    }
    sm_grp_set_state(grp, SM_GRP_PREPARING_REBALANCE);
}

static void
grp_maybe_prepare_rebalance(sm_grp_t *grp, int64_t now)
{
    if (grp->state == SM_GRP_STABLE ||
        grp->state == SM_GRP_COMPLETING_REBALANCE ||
        grp->state == SM_GRP_EMPTY)
        grp_prepare_rebalance(grp, now);
}

static void
grp_remove_at(sm_grp_t *grp, int i)
{
    grp_member_t *m = grp->members[i];

    memmove(&grp->members[i], &grp->members[i + 1],
            (size_t)(grp->nmembers - i - 1) * sizeof(*grp->members));
    grp->nmembers--;
    if (grp->leader == m->id)
        grp->leader = grp->nmembers > 0 ? grp->members[0]->id : NULL;
    grp_member_free(m);
}

/* Answer member i of the new generation (the leader gets the members). */
static void
grp_answer_join(sm_grp_t *grp, grp_member_t *m)
{
    int lead = grp->leader == m->id;
    sm_grp_member_info_t *info = NULL;
    sm_grp_join_result_t res = { SM_OK, grp->generation, grp->protocol,
                                 grp->leader, m->id, 0, NULL };
    sm_grp_join_fn cb = m->join_cb;

    m->join_cb = NULL;
    if (lead) {
        info = sm_calloc((size_t)grp->nmembers, sizeof(*info));
        for (int i = 0; i < grp->nmembers; i++) {
            const grp_proto_t *p = grp_member_proto(grp->members[i],
                                                    grp->protocol);

            info[i].member_id = grp->members[i]->id;
            info[i].instance_id = grp->members[i]->instance_id;
            info[i].metadata = (sm_bytes_t){ p->md, p->md_len };
        }
        res.nmembers = grp->nmembers;
        res.members = info;
    }
    if (cb != NULL)
        cb(m->join_arg, &res);
    free(info);
}

/* Kafka's onCompleteJoin: drop who did not rejoin, start a generation. */
static void
grp_complete_join(sm_grp_t *grp, int64_t now)
{
    for (int i = grp->nmembers - 1; i >= 0; i--) {
        if (grp->members[i]->join_cb == NULL) {
            sm_info("coordinator", "group %s: member %s did not rejoin",
                    grp->id, grp->members[i]->id);
            grp_remove_at(grp, i);
        }
    }
    grp->generation++;
    free(grp->protocol);
    grp->protocol = NULL;
    if (grp->nmembers == 0) {
        sm_grp_set_state(grp, SM_GRP_EMPTY);
        return;
    }
    grp->protocol = sm_strdup(grp_select_protocol(grp));
    sm_grp_set_state(grp, SM_GRP_COMPLETING_REBALANCE);
    for (int i = 0; i < grp->nmembers; i++) {
        grp_member_t *m = grp->members[i];

        m->hb_deadline = now + m->session_timeout_ms;
        grp_answer_join(grp, m);
    }
}

static void grp_join_deadline(sm_grp_t *grp, int64_t now);

/* DelayedJoin's tryComplete: everyone rejoined, no id pending.  An initial
 * delay that is already over (group.initial.rebalance.delay.ms=0) is
 * handled here at once; each pass clears new_member_added, so this loop
 * runs at most twice. */
static void
grp_try_complete_join(sm_grp_t *grp, int64_t now)
{
    while (grp->state == SM_GRP_PREPARING_REBALANCE && grp->initial_delay &&
           grp->join_deadline <= now)
        grp_join_deadline(grp, now);
    if (grp->state != SM_GRP_PREPARING_REBALANCE || grp->initial_delay ||
        grp->npending > 0)
        return;
    for (int i = 0; i < grp->nmembers; i++)
        if (grp->members[i]->join_cb == NULL)
            return;
    grp_complete_join(grp, now);
}

/* Leave or expiry (Kafka's removeMemberAndUpdateGroup). */
static void
grp_remove_and_update(sm_grp_t *grp, int i, int64_t now)
{
    grp_member_t *m = grp->members[i];

    grp_answer_join_err(m, SM_ERR_UNKNOWN_MEMBER_ID);
    grp_answer_sync(m, SM_ERR_UNKNOWN_MEMBER_ID);
    grp_remove_at(grp, i);
    if (grp->state == SM_GRP_STABLE ||
        grp->state == SM_GRP_COMPLETING_REBALANCE)
        grp_maybe_prepare_rebalance(grp, now);
    grp_try_complete_join(grp, now);
}

/* ------------------------------------------------------- entry points */

sm_grp_t *
sm_grp_new(const char *group_id, const sm_grp_conf_t *conf)
{
    sm_grp_t *grp = sm_calloc(1, sizeof(*grp));

    grp->id = sm_strdup(group_id);
    grp->conf = *conf;
    grp->state = SM_GRP_EMPTY;
    grp->join_deadline = INT64_MAX;
    return grp;
}

void
sm_grp_kill(sm_grp_t *grp)
{
    sm_grp_kill_with(grp, SM_ERR_COORDINATOR_NOT_AVAILABLE);
}

void
sm_grp_kill_with(sm_grp_t *grp, sm_err_t err)
{
    for (int i = 0; i < grp->nmembers; i++) {
        grp_answer_join_err(grp->members[i], err);
        grp_answer_sync(grp->members[i], err);
    }
    if (grp->state != SM_GRP_DEAD)
        sm_grp_set_state(grp, SM_GRP_DEAD);
}

void
sm_grp_destroy(sm_grp_t *grp)
{
    if (grp == NULL)
        return;
    sm_grp_kill(grp);
    while (grp->nmembers > 0)
        grp_remove_at(grp, grp->nmembers - 1);
    while (grp->npending > 0)
        grp_pending_remove(grp, grp->npending - 1);
    free(grp->members);
    free(grp->pending);
    free(grp->protocol_type);
    free(grp->protocol);
    free(grp->id);
    free(grp);
}

const char *sm_grp_id(const sm_grp_t *grp) { return grp->id; }
sm_grp_state_t sm_grp_state(const sm_grp_t *grp) { return grp->state; }
int32_t sm_grp_generation(const sm_grp_t *grp) { return grp->generation; }
int sm_grp_size(const sm_grp_t *grp) { return grp->nmembers; }

const char *
sm_grp_protocol_type(const sm_grp_t *grp)
{
    return grp->protocol_type ? grp->protocol_type : "";
}

const char *
sm_grp_protocol(const sm_grp_t *grp)
{
    return grp->protocol ? grp->protocol : "";
}

const char *
sm_grp_leader(const sm_grp_t *grp)
{
    return grp->leader ? grp->leader : "";
}

static void
grp_join_fail(const sm_grp_join_req_t *req, sm_err_t err, const char *id)
{
    char *mid = id ? NULL : grp_strdup(req->member_id);
    sm_grp_join_result_t res = { err, -1, "", "", id ? id : mid, 0, NULL };

    req->cb(req->arg, &res);
    free(mid);
}

/* A member joins for the first time (Kafka's addMemberAndRebalance). */
static void
grp_add_member(sm_grp_t *grp, const sm_grp_join_req_t *req, char *id,
               int64_t now)
{
    grp_member_t *m = sm_calloc(1, sizeof(*m));

    m->id = id;
    m->instance_id = req->group_instance_id.len > 0
                     ? grp_strdup(req->group_instance_id) : NULL;
    m->client_id = grp_strdup(req->client_id);
    m->client_host = grp_strdup(req->client_host);
    m->session_timeout_ms = req->session_timeout_ms;
    m->rebalance_timeout_ms = req->rebalance_timeout_ms;
    grp_protos_set(m, req->nprotocols, req->protocols);
    m->join_cb = req->cb;
    m->join_arg = req->arg;
    m->hb_deadline = now + m->session_timeout_ms;
    if (grp->nmembers == 0) {
        free(grp->protocol_type);
        grp->protocol_type = grp_strdup(req->protocol_type);
    }
    grp->members = sm_realloc(grp->members, (size_t)(grp->nmembers + 1) *
                              sizeof(*grp->members));
    grp->members[grp->nmembers++] = m;
    if (grp->leader == NULL)
        grp->leader = m->id;
    if (grp->state == SM_GRP_PREPARING_REBALANCE && grp->generation == 0)
        grp->new_member_added = 1;
    grp_maybe_prepare_rebalance(grp, now);
    grp_try_complete_join(grp, now);
}

/* A known member rejoins (Kafka's updateMemberAndRebalance). */
static void
grp_update_member(sm_grp_t *grp, grp_member_t *m,
                  const sm_grp_join_req_t *req, int64_t now)
{
    grp_answer_join_err(m, SM_ERR_REBALANCE_IN_PROGRESS);   /* a repeat */
    grp_protos_set(m, req->nprotocols, req->protocols);
    m->session_timeout_ms = req->session_timeout_ms;
    m->rebalance_timeout_ms = req->rebalance_timeout_ms;
    m->join_cb = req->cb;
    m->join_arg = req->arg;
    m->hb_deadline = now + m->session_timeout_ms;
    grp_maybe_prepare_rebalance(grp, now);
    grp_try_complete_join(grp, now);
}

/* A static member comes back with an unknown member id (a restarted
 * client): it takes over its old membership under a new id - the old id
 * is fenced, its parked JoinGroup and SyncGroup answered
 * FENCED_INSTANCE_ID.  In Stable and CompletingRebalance nothing else
 * changes (Kafka 2.3's "static member joins during Stable stage will not
 * trigger rebalance"): the current generation is answered at once, with
 * the leader as it was before the swap - so a restarted leader does not
 * assign again but syncs as a follower and gets its old assignment.
 * While a rebalance is being prepared it rejoins like a known member.
 * The group does not wait for the old instance's session to expire. */
static void
grp_static_rejoin(sm_grp_t *grp, grp_member_t *m,
                  const sm_grp_join_req_t *req, int64_t now)
{
    char *id = grp_new_member_id(req->client_id);
    char *old_leader = sm_strdup(grp->leader != NULL ? grp->leader : "");
    sm_grp_join_result_t res;

    sm_info("coordinator", "group %s: static member %s rejoins; member id "
            "%s replaces %s", grp->id, m->instance_id, id, m->id);
    grp_answer_join_err(m, SM_ERR_FENCED_INSTANCE_ID);
    grp_answer_sync(m, SM_ERR_FENCED_INSTANCE_ID);
    if (grp->leader == m->id)
        grp->leader = id;
    free(m->id);
    m->id = id;
    if (grp->state != SM_GRP_STABLE &&
        grp->state != SM_GRP_COMPLETING_REBALANCE) {
        grp_update_member(grp, m, req, now);
    } else {
        grp_protos_set(m, req->nprotocols, req->protocols);
        m->session_timeout_ms = req->session_timeout_ms;
        m->rebalance_timeout_ms = req->rebalance_timeout_ms;
        m->hb_deadline = now + m->session_timeout_ms;
        res = (sm_grp_join_result_t){ SM_OK, grp->generation, grp->protocol,
                                      old_leader, m->id, 0, NULL };
        req->cb(req->arg, &res);
    }
    free(old_leader);
}

static void
grp_join_known(sm_grp_t *grp, const sm_grp_join_req_t *req, int64_t now)
{
    int pi = grp_find_pending(grp, req->member_id);
    grp_member_t *m = grp_find(grp, req->member_id);
    int same;

    if (pi >= 0) {
        char *id = grp->pending[pi].id;

        grp->pending[pi].id = NULL;
        grp_pending_remove(grp, pi);
        grp_add_member(grp, req, id, now);
        return;
    }
    if (m == NULL || grp->state == SM_GRP_EMPTY) {
        grp_join_fail(req, SM_ERR_UNKNOWN_MEMBER_ID, NULL);
        return;
    }
    if (req->group_instance_id.len > 0 &&
        grp_find_instance(grp, req->group_instance_id) != m) {
        grp_join_fail(req, SM_ERR_FENCED_INSTANCE_ID, NULL);
        return;
    }
    same = grp_protos_match(m, req->nprotocols, req->protocols);
    if ((grp->state == SM_GRP_COMPLETING_REBALANCE && same) ||
        (grp->state == SM_GRP_STABLE && same && grp->leader != m->id)) {
        /* Nothing changed: the current generation, at once. */
        grp_answer_join_err(m, SM_ERR_REBALANCE_IN_PROGRESS);
        m->join_cb = req->cb;
        m->join_arg = req->arg;
        m->hb_deadline = now + m->session_timeout_ms;
        if (grp->state == SM_GRP_STABLE) {
            sm_grp_join_result_t res = { SM_OK, grp->generation,
                                         grp->protocol, grp->leader, m->id,
                                         0, NULL };
            m->join_cb = NULL;
            req->cb(req->arg, &res);
        } else {
            grp_answer_join(grp, m);
        }
        return;
    }
    grp_update_member(grp, m, req, now);
}

void
sm_grp_join(sm_grp_t *grp, const sm_grp_join_req_t *req, int64_t now)
{
    if (req->session_timeout_ms < grp->conf.min_session_timeout_ms ||
        req->session_timeout_ms > grp->conf.max_session_timeout_ms) {
        grp_join_fail(req, SM_ERR_INVALID_SESSION_TIMEOUT, NULL);
    } else if (grp->state == SM_GRP_DEAD) {
        grp_join_fail(req, SM_ERR_COORDINATOR_NOT_AVAILABLE, NULL);
    } else if (!grp_supports(grp, req->protocol_type, req->nprotocols,
                             req->protocols)) {
        grp_join_fail(req, SM_ERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
    } else if (req->member_id.len > 0) {
        grp_join_known(grp, req, now);
    } else if (grp_find_instance(grp, req->group_instance_id) != NULL) {
        grp_static_rejoin(grp, grp_find_instance(grp,
                                                 req->group_instance_id),
                          req, now);
    } else if (grp->nmembers + grp->npending >= grp->conf.max_size) {
        grp_join_fail(req, SM_ERR_GROUP_MAX_SIZE_REACHED, NULL);
    } else if (req->require_known_member_id &&
               req->group_instance_id.len <= 0) {   /* static: never */
        char *id = grp_new_member_id(req->client_id);

        grp->pending = sm_realloc(grp->pending, (size_t)(grp->npending + 1)
                                  * sizeof(*grp->pending));
        grp->pending[grp->npending++] = (grp_pending_t){
            id, now + req->session_timeout_ms };
        grp_join_fail(req, SM_ERR_MEMBER_ID_REQUIRED, id);
    } else {
        grp_add_member(grp, req, grp_new_member_id(req->client_id), now);
    }
}

/* Kafka's validateCurrentMember + generation check, shared by sync,
 * heartbeat and commit. */
static sm_err_t
grp_validate_member(sm_grp_t *grp, sm_str_t member_id, int32_t generation,
                    grp_member_t **mp)
{
    if (grp->state == SM_GRP_DEAD)
        return SM_ERR_COORDINATOR_NOT_AVAILABLE;
    if ((*mp = grp_find(grp, member_id)) == NULL)
        return SM_ERR_UNKNOWN_MEMBER_ID;
    if (generation != grp->generation)
        return SM_ERR_ILLEGAL_GENERATION;
    return SM_OK;
}

/* The leader's assignment: set everyone's, persist the group, and answer
 * the parked syncs - or, when persisting fails, answer them with the
 * error and rebalance again (Kafka's doSyncGroup). */
static void
grp_set_assignments(sm_grp_t *grp, int n, const sm_grp_assignment_t *a,
                    int64_t now)
{
    sm_err_t err;

    for (int i = 0; i < grp->nmembers; i++) {
        grp_member_t *m = grp->members[i];
        const sm_bytes_t *b = NULL;

        for (int k = 0; k < n && b == NULL; k++)
            if (grp_str_is(a[k].member_id, m->id))
                b = &a[k].assignment;
        free(m->assign);
        m->assign_len = b != NULL && b->len > 0 ? b->len : 0;
        m->assign = sm_malloc((size_t)m->assign_len + 1);
        if (m->assign_len > 0)
            memcpy(m->assign, b->ptr, (size_t)m->assign_len);
    }
    err = grp->store ? grp->store(grp->store_arg, grp) : SM_OK;
    if (err != SM_OK) {
        sm_warn("coordinator", "group %s: storing generation %d failed "
                "(%s): rebalancing again", grp->id, (int)grp->generation,
                sm_err_name(err));
        grp_reset_assignments(grp, err);
        grp_prepare_rebalance(grp, now);
        return;
    }
    sm_grp_set_state(grp, SM_GRP_STABLE);
    for (int i = 0; i < grp->nmembers; i++)
        grp_answer_sync(grp->members[i], SM_OK);
}

void
sm_grp_sync(sm_grp_t *grp, sm_str_t member_id, int32_t generation,
            int nassign, const sm_grp_assignment_t *assign,
            sm_grp_sync_fn cb, void *arg, int64_t now)
{
    grp_member_t *m = NULL;
    sm_err_t err = grp_validate_member(grp, member_id, generation, &m);
    sm_bytes_t none = { (const uint8_t *)"", 0 };

    if (err == SM_OK && grp->state == SM_GRP_EMPTY)
        err = SM_ERR_UNKNOWN_MEMBER_ID;
    else if (err == SM_OK && grp->state == SM_GRP_PREPARING_REBALANCE)
        err = SM_ERR_REBALANCE_IN_PROGRESS;
    if (err != SM_OK) {
        cb(arg, err, none);
        return;
    }
    m->hb_deadline = now + m->session_timeout_ms;
    if (grp->state == SM_GRP_STABLE) {
        cb(arg, SM_OK, (sm_bytes_t){ m->assign ? m->assign : none.ptr,
                                     m->assign_len });
        return;
    }
    grp_answer_sync(m, SM_ERR_REBALANCE_IN_PROGRESS);       /* a repeat */
    m->sync_cb = cb;
    m->sync_arg = arg;
    if (grp->leader == m->id)
        grp_set_assignments(grp, nassign, assign, now);
}

sm_err_t
sm_grp_heartbeat(sm_grp_t *grp, sm_str_t member_id, int32_t generation,
                 int64_t now)
{
    grp_member_t *m = NULL;
    sm_err_t err = grp_validate_member(grp, member_id, generation, &m);

    if (err != SM_OK)
        return err;
    if (grp->state == SM_GRP_EMPTY)
        return SM_ERR_UNKNOWN_MEMBER_ID;
    m->hb_deadline = now + m->session_timeout_ms;
    return grp->state == SM_GRP_PREPARING_REBALANCE
               ? SM_ERR_REBALANCE_IN_PROGRESS : SM_OK;
}

sm_err_t
sm_grp_leave(sm_grp_t *grp, sm_str_t member_id, int64_t now)
{
    int pi = grp_find_pending(grp, member_id);

    if (grp->state == SM_GRP_DEAD)
        return SM_ERR_COORDINATOR_NOT_AVAILABLE;
    if (pi >= 0) {
        grp_pending_remove(grp, pi);
        grp_try_complete_join(grp, now);
        return SM_OK;
    }
    for (int i = 0; i < grp->nmembers; i++) {
        if (grp_str_is(member_id, grp->members[i]->id)) {
            sm_info("coordinator", "group %s: member %s leaves", grp->id,
                    grp->members[i]->id);
            grp_remove_and_update(grp, i, now);
            return SM_OK;
        }
    }
    return SM_ERR_UNKNOWN_MEMBER_ID;
}

sm_err_t
sm_grp_validate_commit(sm_grp_t *grp, sm_str_t member_id, int32_t generation,
                       int64_t now)
{
    grp_member_t *m = NULL;
    sm_err_t err;

    if (grp->state == SM_GRP_DEAD)
        return SM_ERR_COORDINATOR_NOT_AVAILABLE;
    if (generation < 0 && grp->state == SM_GRP_EMPTY)
        return SM_OK;
    if (generation < 0 && member_id.len <= 0)
        return grp->state == SM_GRP_EMPTY ? SM_OK : SM_ERR_UNKNOWN_MEMBER_ID;
    if ((err = grp_validate_member(grp, member_id, generation, &m)) != SM_OK)
        return err;
    if (grp->state == SM_GRP_COMPLETING_REBALANCE)
        return SM_ERR_REBALANCE_IN_PROGRESS;
    m->hb_deadline = now + m->session_timeout_ms;
    return SM_OK;
}

/* The initial delay ran out: extend it while members keep arriving
 * (Kafka's InitialDelayedJoin), else complete the join. */
static void
grp_join_deadline(sm_grp_t *grp, int64_t now)
{
    if (grp->initial_delay && grp->new_member_added &&
        grp->initial_remaining > 0) {
        int64_t delay = grp->conf.initial_rebalance_delay_ms;

        if (delay > grp->initial_remaining)
            delay = grp->initial_remaining;
        grp->initial_remaining -= delay;
        grp->new_member_added = 0;
        grp->join_deadline = now + delay;
        return;
    }
    grp->initial_delay = 0;
    grp_complete_join(grp, now);
}

void
sm_grp_tick(sm_grp_t *grp, int64_t now)
{
    for (int i = grp->npending - 1; i >= 0; i--)
        if (grp->pending[i].deadline <= now)
            grp_pending_remove(grp, i);
    for (int i = grp->nmembers - 1; i >= 0; i--) {
        grp_member_t *m;

        if (i >= grp->nmembers)     /* a completed join removed some */
            continue;
        m = grp->members[i];
        if (m->hb_deadline > now || m->join_cb != NULL || m->sync_cb != NULL)
            continue;
        sm_info("coordinator", "group %s: member %s session expired",
                grp->id, m->id);
        grp_remove_and_update(grp, i, now);
    }
    if (grp->state == SM_GRP_PREPARING_REBALANCE &&
        grp->join_deadline <= now)
        grp_join_deadline(grp, now);
    grp_try_complete_join(grp, now);
}

int64_t
sm_grp_next_deadline(const sm_grp_t *grp)
{
    int64_t t = grp->state == SM_GRP_PREPARING_REBALANCE
                    ? grp->join_deadline : INT64_MAX;

    for (int i = 0; i < grp->npending; i++)
        if (grp->pending[i].deadline < t)
            t = grp->pending[i].deadline;
    for (int i = 0; i < grp->nmembers; i++)
        if (grp->members[i]->hb_deadline < t)
            t = grp->members[i]->hb_deadline;
    return t;
}

void
sm_grp_member(const sm_grp_t *grp, int i, sm_grp_member_view_t *v)
{
    const grp_member_t *m = grp->members[i];
    const grp_proto_t *p = grp_member_proto(m, grp->protocol);

    v->member_id = m->id;
    v->client_id = m->client_id;
    v->client_host = m->client_host;
    v->metadata = p ? (sm_bytes_t){ p->md, p->md_len }
                    : (sm_bytes_t){ (const uint8_t *)"", 0 };
    v->assignment = m->assign ? (sm_bytes_t){ m->assign, m->assign_len }
                              : (sm_bytes_t){ (const uint8_t *)"", 0 };
    v->session_timeout_ms = m->session_timeout_ms;
    v->rebalance_timeout_ms = m->rebalance_timeout_ms;
    v->instance_id = m->instance_id;
}

void
sm_grp_set_store(sm_grp_t *grp, sm_grp_store_fn fn, void *arg)
{
    grp->store = fn;
    grp->store_arg = arg;
}

/* A member as a stored metadata value describes it. */
static grp_member_t *
grp_member_loaded(const sm_grec_member_t *mv, const char *protocol,
                  int64_t now)
{
    grp_member_t *m = sm_calloc(1, sizeof(*m));

    m->id = sm_str_dup(mv->member_id);
    if (mv->group_instance_id.ptr != NULL)
        m->instance_id = sm_str_dup(mv->group_instance_id);
    m->client_id = sm_str_dup(mv->client_id);
    m->client_host = sm_str_dup(mv->client_host);
    m->session_timeout_ms = mv->session_timeout_ms;
    m->rebalance_timeout_ms = mv->rebalance_timeout_ms;
    if (protocol != NULL) {
        m->protos = sm_calloc(1, sizeof(*m->protos));
        m->nprotos = 1;
        m->protos[0].name = sm_strdup(protocol);
        m->protos[0].md_len = mv->subscription.len > 0
                              ? mv->subscription.len : 0;
        m->protos[0].md = sm_malloc((size_t)m->protos[0].md_len + 1);
        if (m->protos[0].md_len > 0)
            memcpy(m->protos[0].md, mv->subscription.ptr,
                   (size_t)m->protos[0].md_len);
    }
    m->assign_len = mv->assignment.len > 0 ? mv->assignment.len : 0;
    m->assign = sm_malloc((size_t)m->assign_len + 1);
    if (m->assign_len > 0)
        memcpy(m->assign, mv->assignment.ptr, (size_t)m->assign_len);
    m->hb_deadline = now + m->session_timeout_ms;
    return m;
}

void
sm_grp_load(sm_grp_t *grp, int32_t generation, const char *protocol_type,
            const char *protocol, sm_str_t leader,
            const sm_grec_member_t *members, int nmembers, int64_t now)
{
    if ((grp->state != SM_GRP_EMPTY && grp->state != SM_GRP_STABLE) ||
        grp->npending > 0)
        return;
    for (int i = 0; i < grp->nmembers; i++)
        if (grp->members[i]->join_cb != NULL ||
            grp->members[i]->sync_cb != NULL)
            return;
    for (int i = 0; i < grp->nmembers; i++)
        grp_member_free(grp->members[i]);
    grp->nmembers = 0;
    grp->leader = NULL;
    grp->generation = generation;
    free(grp->protocol_type);
    free(grp->protocol);
    grp->protocol_type = protocol_type ? sm_strdup(protocol_type) : NULL;
    grp->protocol = protocol ? sm_strdup(protocol) : NULL;
    if (protocol != NULL && nmembers > 0) {
        grp->members = sm_realloc(grp->members, (size_t)nmembers *
                                  sizeof(*grp->members));
        for (int i = 0; i < nmembers; i++) {
            grp_member_t *m = grp_member_loaded(&members[i], protocol, now);

            grp->members[grp->nmembers++] = m;
            if (grp_str_is(leader, m->id))
                grp->leader = m->id;
        }
    }
    /* built in its stored state, as Kafka's loadGroup: no transition */
    grp->state = grp->nmembers > 0 ? SM_GRP_STABLE : SM_GRP_EMPTY;
}
