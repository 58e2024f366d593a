/*
 * config_props.h: Java .properties files, the way java.util.Properties
 * reads them (kafka's Utils.loadProps).
 *
 * SYNTAX (what sm_props_parse accepts, after Properties.load):
 *   - Natural lines end in \n, \r or \r\n.  A line whose first non-blank
 *     character is '#' or '!' is a comment; blank lines are skipped.
 *   - A natural line ending in an odd number of backslashes continues on
 *     the next one; the backslash, the line end and the next line's leading
 *     blanks disappear.  Comment lines never continue.
 *   - The key runs from the first non-blank character to the first
 *     unescaped '=', ':' or blank.  Blanks around one '=' or ':' are
 *     skipped; the value is the rest of the line, trailing blanks kept
 *     (ConfigDef trims them later, per type).  "key", "key=", "key value",
 *     "key:value" and "key = value" all work.
 *   - Escapes in keys and values: \t \n \r \f, \uXXXX (written out as
 *     UTF-8; surrogate pairs are joined), and \X for any other X means X.
 *     A malformed \u escape or \u0000 is an error naming the line.
 *   - Blanks are ' ', '\t' and '\f'.
 * One deliberate difference: Java reads the bytes as ISO-8859-1, samsa
 * passes them through unchanged (so UTF-8 files keep their meaning).
 *
 * An sm_props_t is a plain list of (key, value, line) in file order.
 * Duplicate keys are kept as separate entries so the consumer can warn;
 * sm_props_get() returns the last one, which is what Java would keep.
 * The list owns its strings.  Not thread-safe; no global state.
 */
#ifndef SM_SERVER_CONFIG_PROPS_H
#define SM_SERVER_CONFIG_PROPS_H

#include <stddef.h>

#include "common/sm_err.h"

typedef struct sm_prop {
    char *key;
    char *value;
    int   line;          /* 1-based first line of the entry; 0: not a file */
} sm_prop_t;

typedef struct sm_props {
    sm_prop_t *v;
    int        n;
    int        cap;
} sm_props_t;

#define SM_PROPS_INIT { NULL, 0, 0 }

void sm_props_init(sm_props_t *props);
void sm_props_fini(sm_props_t *props);

/* Append an entry (copies key and value), duplicates allowed. */
void sm_props_add(sm_props_t *props, const char *key, const char *value,
                  int line);
/* Replace the value of the last entry named key, or append one. */
void sm_props_set(sm_props_t *props, const char *key, const char *value,
                  int line);
/* The last entry named key, or NULL. */
const sm_prop_t *sm_props_find(const sm_props_t *props, const char *key);
/* Its value, or NULL. */
const char *sm_props_get(const sm_props_t *props, const char *key);

/*
 * Parse text[0..len) and append its entries.  origin names the input in
 * errors ("conf/server.properties:12: malformed \uxxxx escape").  On error
 * the entries parsed before the bad line stay appended.
 */
sm_err_t sm_props_parse(sm_props_t *props, const char *text, size_t len,
                        const char *origin, char *errstr,
                        size_t errstr_size);
/* Read a file and parse it; SM_ERR__IO names the path and the errno. */
sm_err_t sm_props_load(sm_props_t *props, const char *path, char *errstr,
                       size_t errstr_size);

#endif
