/*
 * slice.c: the few out-of-line helpers for sm_slice.h.
 */
#include "common/sm_mem.h"
#include "common/sm_slice.h"

char *
sm_str_dup(sm_str_t s)
{
    if (s.len < 0)
        return NULL;
    return sm_strndup(s.ptr ? s.ptr : "", (size_t)s.len);
}
