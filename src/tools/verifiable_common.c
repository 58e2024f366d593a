/*
 * verifiable_common.c: the verifiable tools' shared output and argument
 * helpers (verifiable.h).  Threads: any; the event lock serializes lines.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "tools/verifiable.h"

static pthread_mutex_t vf_out_lock = PTHREAD_MUTEX_INITIALIZER;

long long
vf_wall_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void
vf_json_str(FILE *f, const char *s, size_t len)
{
    if (s == NULL) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void
vf_json_cstr(FILE *f, const char *s)
{
    vf_json_str(f, s, s != NULL ? strlen(s) : 0);
}

void
vf_event_begin(const char *name)
{
    pthread_mutex_lock(&vf_out_lock);
    printf("{\"timestamp\":%lld,\"name\":\"%s\"", vf_wall_ms(), name);
}

void
vf_event_end(void)
{
    fputs("}\n", stdout);
    fflush(stdout);
    pthread_mutex_unlock(&vf_out_lock);
}

int
vf_fail(const char *prog, const char *usage, const char *msg)
{
    fputs(usage, stderr);
    fprintf(stderr, "%s: error: %s\n", prog, msg);
    return 1;
}

int
vf_num(const char *s, long long lo, long long hi, long long *out)
{
    char *end;

    *out = strtoll(s, &end, 10);
    return end != s && *end == '\0' && *out >= lo && *out <= hi ? 0 : -1;
}
