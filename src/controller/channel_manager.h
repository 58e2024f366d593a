/*
 * channel_manager.h: the controller's channel to the brokers over the
 * network - Kafka's ControllerChannelManager with one RequestSendThread per
 * broker.
 *
 * The controller (controller.h) talks to brokers through an
 * sm_controller_channel_t.  sm_chanmgr_channel() fills one whose calls
 *   - for the local broker go straight to `local` (the broker's own
 *     direct calls: no socket to itself), and
 *   - for every other broker queue the request on that broker's sender,
 *     which connects to the broker's endpoint on the inter-broker listener
 *     (inter.broker.listener.name, from its /brokers/ids/<id>
 *     registration), negotiates versions with ApiVersions and sends the
 *     requests one at a time, in the order the controller made them, at the
 *     highest version both sides know (LeaderAndIsr <= 2, StopReplica <= 1,
 *     UpdateMetadata <= 5).
 * Senders start on broker_added and stop on broker_removed and on reset
 * (the controller resigned); requests still queued then are dropped and
 * their StopReplica completions called with BROKER_NOT_AVAILABLE.  A
 * request whose send fails (connection refused, reset, timeout) is retried
 * on a new connection after backoff_ms until it succeeds or the sender
 * stops, as Kafka's RequestSendThread does.  StopReplica completions get
 * the partition's error from the response.
 *
 * THREADS.  The channel callbacks run on the controller thread and never
 * block: they copy the request into the sender's queue (mutex + condvar)
 * and return.  Each sender thread owns its connection.  Stopping a sender
 * sets its flag, shuts its socket down so a blocked read returns at once,
 * and leaves the thread to finish on its own; sm_chanmgr_destroy joins
 * them all.  Lock order: cm->lock -> sender->lock; completions and the
 * local calls run with no lock held.
 */
#ifndef SM_CONTROLLER_CHANNEL_MANAGER_H
#define SM_CONTROLLER_CHANNEL_MANAGER_H

#include <stdint.h>

#include "controller/controller.h"

typedef struct sm_chanmgr sm_chanmgr_t;

typedef struct sm_chanmgr_opts {
    int32_t     local_id;           /* this broker */
    const char *listener;           /* inter.broker.listener.name; copied */
    int         socket_timeout_ms;  /* controller.socket.timeout.ms: bound
                                     * on connect + one request (30000) */
    int         backoff_ms;         /* pause before retrying a failed send
                                     * (100) */
} sm_chanmgr_opts_t;

/* local: the channel for this broker's own id (copied; its broker_added,
 * broker_removed and reset are not used). */
sm_chanmgr_t *sm_chanmgr_new(const sm_chanmgr_opts_t *opts,
                             const sm_controller_channel_t *local);
/* Stop every sender, join the threads, free. */
void          sm_chanmgr_destroy(sm_chanmgr_t *cm);
/* The channel to hand to sm_controller_new (opaque = cm). */
void          sm_chanmgr_channel(sm_chanmgr_t *cm,
                                 sm_controller_channel_t *ch);

/* Requests sent and answered so far to broker_id (tests); -1 if no
 * sender runs for it. */
int64_t       sm_chanmgr_sent(sm_chanmgr_t *cm, int32_t broker_id);

#endif
