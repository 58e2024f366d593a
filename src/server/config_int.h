/*
 * config_int.h: what the config*.c files share and nobody else needs.
 *
 *   config.c           the table, building (set/finish/load), accessors
 *   config_value.c     parsing and printing single values, Kafka versions
 *   config_listener.c  listeners and listener.security.protocol.map
 *   config_describe.c  DescribeConfigs entries, topic overlay, dynamic
 *   config_man.c       server.properties(5)
 *
 * Values are parsed straight into their typed storage (a member of
 * sm_config_t or sm_topic_config_t) through a void pointer whose C type is
 * SM_CTYPE_<type>; strings and lists in that storage are heap-owned and
 * released with sm_conf_value_free().
 */
#ifndef SM_SERVER_CONFIG_INT_H
#define SM_SERVER_CONFIG_INT_H

#include "common/sm_buf.h"
#include "server/config.h"

/* Bounds and validator of one value, borrowed from a table row. */
typedef struct sm_conf_check {
    sm_conf_type_t      type;
    int64_t             min, max;
    sm_conf_validator_t validator;
} sm_conf_check_t;

/*
 * Parse text as Kafka's ConfigDef would (trim, type, bounds, validator).
 * dst: typed storage to fill (freed first by the caller), or NULL to only
 * validate.  On failure returns -1 and writes Kafka's reason ("Not a
 * number of type INT", "Value must be at least 1") to msg.
 */
int  sm_conf_value_parse(const sm_conf_check_t *chk, const char *text,
                         void *dst, char *msg, size_t msg_size);
void sm_conf_value_free(sm_conf_type_t type, void *dst);
/* Java's toString of the value (the start-up dump). */
void sm_conf_value_java(sm_conf_type_t type, const void *src, int is_null,
                        sm_buf_t *out);
/* ConfigDef.convertToString of the value, NUL-terminated; 0 if null. */
int  sm_conf_value_kafka(sm_conf_type_t type, const void *src, int is_null,
                         sm_buf_t *out);
/* Java's Double.toString. */
void sm_conf_java_double(double d, char *buf, size_t size);
/* Java's String.trim: a copy without leading/trailing chars <= ' '. */
char *sm_conf_trim_dup(const char *s);
/* Split on commas with surrounding blanks removed (Kafka's
 * "\\s*,\\s*"); drop_empty filters empty items (CoreUtils.parseCsvList).
 * Returns a NULL-terminated array; *n its length. */
char **sm_conf_split_csv(const char *s, int drop_empty, int *n);
void   sm_conf_free_strv(char **v);

/* "Invalid value <v> for configuration <k>: <msg>" prefixed by where. */
void sm_conf_bad_value(char *errstr, size_t errstr_size, const char *where,
                       const char *key, const char *value, const char *msg);

/* Key families accepted without a row: prefix and doc; NULL past the end. */
const char *sm_conf_family(int i, const char **doc);

/* Sorted order of the keys by name (strcmp), SM_CK__COUNT entries. */
const int *sm_conf_sorted(void);

/* Topic rows: type, doc (the broker synonym's when the row has none) and
 * the typed member of tc. */
sm_conf_type_t sm_topic_conf_type(int tkey);
const char    *sm_topic_conf_doc(int tkey);
const void    *sm_topic_conf_field(const sm_topic_config_t *tc, int tkey);

/* Effective raw text of key across cfg's layers and the default (NULL if
 * null), and the layer index that set it (SM_CONFIG_LAYERS: default). */
const char *sm_conf_effective_text(const sm_config_t *cfg, int key,
                                   int *layer);

#endif
