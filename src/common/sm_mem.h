/*
 * sm_mem.h: allocation wrappers that abort on failure (STYLE.md §5).
 *
 * Small, internal allocations cannot fail from a caller's point of view: an
 * out-of-memory process is logged and aborted (redis zmalloc, librdkafka
 * rd_malloc), so call sites stay free of error paths that would never be
 * tested.  Sizes that come from the network or the disk must be bounded by
 * configuration *before* they reach these functions; refusing them is a
 * Kafka error, not a crash.
 */
#ifndef SM_MEM_H
#define SM_MEM_H

#include <stddef.h>

void *sm_malloc(size_t size);
void *sm_calloc(size_t nmemb, size_t size);
void *sm_realloc(void *ptr, size_t size);
char *sm_strdup(const char *s);
char *sm_strndup(const char *s, size_t n);
/* printf into a new heap string. */
char *sm_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define sm_free(p) free(p)

#include <stdlib.h>

#endif
