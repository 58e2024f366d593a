/*
 * mem.c: the abort-on-failure allocators declared in sm_mem.h.
 *
 * Thread-safe (they only wrap libc).  An allocation failure writes one line
 * to stderr naming the size and aborts: there is no sane way to continue
 * with half-built state, and a core file is more useful than a limp broker.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_mem.h"

static void
sm_oom(size_t size)
{
    char msg[96];
    int n = snprintf(msg, sizeof(msg),
                     "samsa: out of memory allocating %zu bytes\n", size);
    if (n > 0 && write(2, msg, (size_t)n) < 0) {
        /* nothing more to do: we are about to abort */
    }
    abort();
}

void *
sm_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        sm_oom(size);
    return p;
}

void *
sm_calloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (p == NULL)
        sm_oom(nmemb * size);
    return p;
}

void *
sm_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        sm_oom(size);
    return p;
}

char *
sm_strdup(const char *s)
{
    return sm_strndup(s, strlen(s));
}

char *
sm_strndup(const char *s, size_t n)
{
    char *p = sm_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
sm_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *p = NULL;

    va_start(ap, fmt);
    if (vasprintf(&p, fmt, ap) < 0)
        sm_oom(strlen(fmt));
    va_end(ap);
    return p;
}
