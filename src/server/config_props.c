/*
 * config_props.c: the .properties reader of config_props.h.
 *
 * Parsing is two passes per entry, as in java.util.Properties: first the
 * logical line is assembled from natural lines (comments, blank lines and
 * backslash continuations handled there), then the raw logical line is
 * split into key and value and each is unescaped.  Escapes survive the
 * first pass untouched, which is why "a\=b=c" has the key "a=b".
 *
 * No global state; every function works on the caller's sm_props_t.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_mem.h"
#include "server/config_props.h"

/* Inputs larger than this are refused: a broker config is a few KiB. */
#define SM_PROPS_MAX_FILE (16u << 20)

void
sm_props_init(sm_props_t *props)
{
    props->v = NULL;
    props->n = 0;
    props->cap = 0;
}

void
sm_props_fini(sm_props_t *props)
{
    for (int i = 0; i < props->n; i++) {
        sm_free(props->v[i].key);
        sm_free(props->v[i].value);
    }
    sm_free(props->v);
    sm_props_init(props);
}

void
sm_props_add(sm_props_t *props, const char *key, const char *value, int line)
{
    if (props->n == props->cap) {
        props->cap = props->cap ? props->cap * 2 : 16;
        props->v = sm_realloc(props->v, (size_t)props->cap * sizeof(*props->v));
    }
    props->v[props->n].key = sm_strdup(key);
    props->v[props->n].value = sm_strdup(value);
    props->v[props->n].line = line;
    props->n++;
}

static sm_prop_t *
props_find_mut(const sm_props_t *props, const char *key)
{
    for (int i = props->n - 1; i >= 0; i--)
        if (strcmp(props->v[i].key, key) == 0)
            return &props->v[i];
    return NULL;
}

void
sm_props_set(sm_props_t *props, const char *key, const char *value, int line)
{
    sm_prop_t *p = props_find_mut(props, key);

    if (p == NULL) {
        sm_props_add(props, key, value, line);
        return;
    }
    sm_free(p->value);
    p->value = sm_strdup(value);
    p->line = line;
}

const sm_prop_t *
sm_props_find(const sm_props_t *props, const char *key)
{
    return props_find_mut(props, key);
}

const char *
sm_props_get(const sm_props_t *props, const char *key)
{
    const sm_prop_t *p = props_find_mut(props, key);
    return p ? p->value : NULL;
}

/* ------------------------------------------------------------ lexing */

static int
props_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

static int
props_eol(int c)
{
    return c == '\n' || c == '\r';
}

/* Consume one line end at *pos ("\r\n" counts as one). */
static void
props_skip_eol(const char *text, size_t len, size_t *pos)
{
    if (*pos < len && text[*pos] == '\r') {
        (*pos)++;
        if (*pos < len && text[*pos] == '\n')
            (*pos)++;
    } else if (*pos < len && text[*pos] == '\n') {
        (*pos)++;
    }
}

/*
 * Assemble the next logical line into raw (NUL-terminated).  Returns 0 at
 * end of input, 1 with a line; *lineno counts natural lines consumed and
 * *first is the natural line the entry starts on.
 */
static int
props_next_line(const char *text, size_t len, size_t *pos, int *lineno,
                int *first, sm_buf_t *raw)
{
    sm_buf_reset(raw);
    for (;;) {
        while (*pos < len && props_blank(text[*pos]))
            (*pos)++;
        if (*pos >= len)
            return 0;
        if (props_eol(text[*pos]) || text[*pos] == '#' ||
            text[*pos] == '!') {
            while (*pos < len && !props_eol(text[*pos]))
                (*pos)++;
            props_skip_eol(text, len, pos);
            (*lineno)++;
            continue;
        }
        break;
    }
    *first = *lineno;
    for (;;) {
        size_t start = *pos, nbs = 0;

        while (*pos < len && !props_eol(text[*pos]))
            (*pos)++;
        sm_buf_write(raw, text + start, *pos - start);
        for (size_t i = *pos; i > start && text[i - 1] == '\\'; i--)
            nbs++;
        props_skip_eol(text, len, pos);
        (*lineno)++;
        if (nbs % 2 == 0)
            break;
        raw->len--;                        /* drop the joining backslash */
        while (*pos < len && props_blank(text[*pos]))
            (*pos)++;
        if (*pos >= len)
            break;
    }
    sm_buf_write(raw, "", 1);
    return 1;
}

/* ------------------------------------------------------------ unescaping */

static void
props_put_utf8(sm_buf_t *out, unsigned cp)
{
    uint8_t b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xc0 | (cp >> 6));
        b[1] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xe0 | (cp >> 12));
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | (cp >> 18));
        b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sm_buf_write(out, b, n);
}

/* Four hex digits at s[0..4) of an n-byte rest; -1 if malformed. */
static long
props_hex4(const char *s, size_t n)
{
    long v = 0;

    if (n < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/*
 * Decode a \u escape whose four digits start at s (n bytes available).
 * Joins a following \uDC00-\uDFFF to a high surrogate; a lone surrogate
 * becomes U+FFFD.  Returns the bytes consumed after the 'u', or -1.
 */
static long
props_unicode(const char *s, size_t n, sm_buf_t *out)
{
    long hi = props_hex4(s, n), lo;

    if (hi <= 0)
        return -1;                         /* malformed, or \u0000 */
    if (hi >= 0xd800 && hi <= 0xdbff && n >= 10 && s[4] == '\\' &&
        s[5] == 'u' && (lo = props_hex4(s + 6, n - 6)) >= 0xdc00 &&
        lo <= 0xdfff) {
        props_put_utf8(out, 0x10000 + (((unsigned)hi - 0xd800) << 10) +
                                ((unsigned)lo - 0xdc00));
        return 10;
    }
    props_put_utf8(out, (hi >= 0xd800 && hi <= 0xdfff) ? 0xfffd
                                                       : (unsigned)hi);
    return 4;
}

/* Unescape s[0..n) into out (NUL-terminated); -1 on a bad \u escape. */
static int
props_unescape(const char *s, size_t n, sm_buf_t *out)
{
    static const char from[] = "tnrf", to[] = "\t\n\r\f";
    size_t i = 0;

    sm_buf_reset(out);
    while (i < n) {
        char c = s[i++];
        const char *m;

        if (c != '\\' || i == n) {
            sm_buf_write(out, &c, 1);
            continue;
        }
        c = s[i++];
        if (c == 'u') {
            long used = props_unicode(s + i, n - i, out);
            if (used < 0)
                return -1;
            i += (size_t)used;
            continue;
        }
        if (c != '\0' && (m = strchr(from, c)) != NULL)
            c = to[m - from];
        sm_buf_write(out, &c, 1);
    }
    sm_buf_write(out, "", 1);
    return 0;
}

/* ------------------------------------------------------------ entries */

/* Split a raw logical line: key is raw[0..*klen), value starts at *vstart. */
static void
props_split(const char *raw, size_t n, size_t *klen, size_t *vstart)
{
    size_t k = 0, v = n;
    int esc = 0, sep = 0;

    for (; k < n; k++) {
        char c = raw[k];
        if (!esc && (c == '=' || c == ':')) {
            v = k + 1;
            sep = 1;
            break;
        }
        if (!esc && props_blank(c)) {
            v = k + 1;
            break;
        }
        esc = (c == '\\') ? !esc : 0;
    }
    for (; v < n; v++) {
        char c = raw[v];
        if (props_blank(c))
            continue;
        if (!sep && (c == '=' || c == ':')) {
            sep = 1;
            continue;
        }
        break;
    }
    *klen = k;
    *vstart = v < n ? v : n;
}

sm_err_t
sm_props_parse(sm_props_t *props, const char *text, size_t len,
               const char *origin, char *errstr, size_t errstr_size)
{
    sm_buf_t raw = SM_BUF_INIT, key = SM_BUF_INIT, val = SM_BUF_INIT;
    size_t pos = 0, klen, vstart;
    int lineno = 1, first = 0;
    sm_err_t err = SM_OK;

    while (props_next_line(text, len, &pos, &lineno, &first, &raw)) {
        const char *r = (const char *)raw.data;
        size_t n = raw.len - 1;

        props_split(r, n, &klen, &vstart);
        if (props_unescape(r, klen, &key) != 0 ||
            props_unescape(r + vstart, n - vstart, &val) != 0) {
            snprintf(errstr, errstr_size,
                     "%s:%d: malformed \\uxxxx escape (or \\u0000)",
                     origin, first);
            err = SM_ERR__CONFIG;
            goto out;
        }
        sm_props_add(props, (const char *)key.data, (const char *)val.data,
                     first);
    }
out:
    sm_buf_fini(&raw);
    sm_buf_fini(&key);
    sm_buf_fini(&val);
    return err;
}

sm_err_t
sm_props_load(sm_props_t *props, const char *path, char *errstr,
              size_t errstr_size)
{
    sm_buf_t buf = SM_BUF_INIT;
    char chunk[8192];
    sm_err_t err = SM_OK;
    size_t n;
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        snprintf(errstr, errstr_size, "fopen(%s) failed: %s", path,
                 strerror(errno));
        return SM_ERR__IO;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf.len + n > SM_PROPS_MAX_FILE) {
            snprintf(errstr, errstr_size, "%s: larger than %u bytes", path,
                     SM_PROPS_MAX_FILE);
            err = SM_ERR__TOO_LARGE;
            goto out;
        }
        sm_buf_write(&buf, chunk, n);
    }
    if (ferror(f)) {
        snprintf(errstr, errstr_size, "fread(%s) failed: %s", path,
                 strerror(errno));
        err = SM_ERR__IO;
        goto out;
    }
    err = sm_props_parse(props, (const char *)buf.data, buf.len, path,
                         errstr, errstr_size);
out:
    fclose(f);
    sm_buf_fini(&buf);
    return err;
}
