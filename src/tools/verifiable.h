/*
 * verifiable.h: what Kafka's verifiable producer and consumer tools
 * (samsa-verifiable-producer.c, samsa-verifiable-consumer.c) share - the
 * JSON event lines on standard output, argparse4j-style usage errors and
 * number parsing.
 *
 * EVENTS.  vf_event_begin() writes {"timestamp":<wall ms>,"name":"<name>"
 * and takes the output lock; the caller adds ,"field":value pairs (with
 * vf_json_str for strings); vf_event_end() writes "}\n", flushes and
 * releases the lock, so lines from the producer's delivery callbacks and
 * its main thread never interleave.
 */
#ifndef SM_TOOLS_VERIFIABLE_H
#define SM_TOOLS_VERIFIABLE_H

#include <stddef.h>
#include <stdio.h>

long long vf_wall_ms(void);
/* A JSON string of len bytes at s (s NULL: null) on f. */
void      vf_json_str(FILE *f, const char *s, size_t len);
/* The same for a NUL-terminated s (NULL: null). */
void      vf_json_cstr(FILE *f, const char *s);
void      vf_event_begin(const char *name);
void      vf_event_end(void);
/* usage on stderr, then "<prog>: error: <msg>"; returns 1 (the status). */
int       vf_fail(const char *prog, const char *usage, const char *msg);
/* A whole decimal number in [lo, hi] into *out: 0, else -1. */
int       vf_num(const char *s, long long lo, long long hi, long long *out);

#endif
