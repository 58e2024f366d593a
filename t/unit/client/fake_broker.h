/*
 * fake_broker.h: a scripted Kafka peer on 127.0.0.1 (or ::1) for the
 * client core tests (test_client).
 *
 * One thread accepts connections and serves them in turn: it reads a
 * request frame, parses the request header, and asks the test's handler
 * what to do.  The handler writes the response body (after the header the
 * fake broker already wrote) and returns an action:
 *   FB_ANSWER    send the frame
 *   FB_CLOSE     close the connection without answering
 *   FB_SILENT    answer nothing, keep the connection open
 *   FB_BAD_CORR  send the frame with the correlation id plus one
 *   FB_HUGE      announce a frame of 1 GiB (and send nothing more)
 *   FB_HOLD      keep the frame; fb_release() sends every held frame, in
 *                order, on its connection (frames of a connection that
 *                closes meanwhile are dropped); fb->nheld counts them;
 *                while a connection has frames held, its FB_ANSWERs are
 *                held behind them (a broker answers in request order)
 * fb_default() answers ApiVersions from apis.def and Metadata with the
 * fake's brokers (one, id 0, itself, by default) and topics, so handlers
 * only script the APIs they test.  Every request is counted per ApiKey
 * and the last request body per key is kept (fb_last_body) for the test
 * to decode.
 *
 * Threads: the server thread calls the handler; counters are atomics; the
 * kept bodies are guarded by fb->lock.  Tests stop the server before
 * reading anything else.
 */
#ifndef SM_T_FAKE_BROKER_H
#define SM_T_FAKE_BROKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/sm_buf.h"
#include "protocol/apis.h"
#include "protocol/codec.h"

enum { FB_ANSWER, FB_CLOSE, FB_SILENT, FB_BAD_CORR, FB_HUGE, FB_HOLD };

#define FB_MAX_HELD 64

typedef struct fb fb_t;

typedef int (*fb_handler_fn)(fb_t *fb, const sm_req_hdr_t *hdr,
                             sm_rd_t *body, sm_buf_t *out);

typedef struct fb_topic {
    const char *name;
    int16_t     err;
    int         internal;
    int32_t     partitions;       /* listed in reverse order on purpose */
} fb_topic_t;

struct fb {
    int             lfd;
    int             port;
    pthread_t       thr;
    atomic_int      stop;
    fb_handler_fn   handler;
    void           *arg;            /* the test's */
    atomic_int      nreq[SM_API__MAX];
    atomic_int      naccepted;      /* connections accepted */
    atomic_int      nheld;          /* FB_HOLD frames not yet sent */
    atomic_int      release;        /* fb_release() asked */
    int             held_fd[FB_MAX_HELD];   /* server thread only */
    sm_buf_t        held[FB_MAX_HELD];
    atomic_int      last_version[SM_API__MAX];
    pthread_mutex_t lock;
    uint8_t        *last_body[SM_API__MAX];
    size_t          last_len[SM_API__MAX];
    /* what fb_default's Metadata says */
    int32_t         controller_id;  /* default 0 */
    int             broker_port;    /* broker 0's port; 0: fb->port */
    const fb_topic_t *topics;
    int             ntopics;
};

/* Listen on 127.0.0.1:0 (ipv6: ::1) and start serving with handler (NULL:
 * fb_default).  Returns 0, or -1 if the address family is unavailable. */
int  fb_start(fb_t *fb, int ipv6, fb_handler_fn handler, void *arg);
void fb_stop(fb_t *fb);
/* Send the held frames (any thread; done by the server thread within
 * ~10 ms). */
void fb_release(fb_t *fb);

int  fb_default(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
                sm_buf_t *out);

/* A copy of the last body received for key (caller frees); NULL if
 * none. */
uint8_t *fb_last_body(fb_t *fb, int16_t key, size_t *len);

/* A port nothing listens on (bound, then closed). */
int  fb_closed_port(void);

#endif
