/*
 * config_util.h: helpers shared by the config test suites - build an
 * sm_config_t from properties text as the loader would from a file named
 * "test.properties", and collect DescribeConfigs entries into owned
 * copies.
 */
#ifndef SM_TEST_CONFIG_UTIL_H
#define SM_TEST_CONFIG_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "server/config.h"
#include "sm_test.h"

/* Parse text as test.properties, apply overrides, finish.  *cfgp is NULL
 * on error (errstr says why). */
static inline sm_err_t
cfg_from_text(const char *text, sm_config_t **cfgp, char *errstr,
              size_t errstr_size)
{
    sm_props_t props = SM_PROPS_INIT;
    sm_config_t *cfg = sm_config_new();
    sm_err_t err;

    cfg->path = sm_strdup("test.properties");
    err = sm_props_parse(&props, text, strlen(text), "test.properties",
                         errstr, errstr_size);
    if (err == SM_OK)
        err = sm_config_set_props(cfg, &props, "test.properties", errstr,
                                  errstr_size);
    if (err == SM_OK)
        err = sm_config_finish(cfg, errstr, errstr_size);
    sm_props_fini(&props);
    if (err != SM_OK) {
        sm_config_destroy(cfg);
        cfg = NULL;
    }
    *cfgp = cfg;
    return err;
}

/* Same, asserting success. */
static inline sm_config_t *
cfg_ok(const char *text)
{
    char err[1024] = "";
    sm_config_t *cfg;

    ck_assert_msg(cfg_from_text(text, &cfg, err, sizeof(err)) == SM_OK,
                  "config failed: %s", err);
    return cfg;
}

/* Owned copy of one entry. */
typedef struct cfg_entry {
    char *name, *value, *doc;
    int   source, read_only, is_sensitive, type, nsyn;
    char *syn_name[SM_CONFIG_MAX_SYNONYMS];
    char *syn_value[SM_CONFIG_MAX_SYNONYMS];
    int   syn_source[SM_CONFIG_MAX_SYNONYMS];
} cfg_entry_t;

typedef struct cfg_entries {
    cfg_entry_t *v;
    int n;
} cfg_entries_t;

static inline char *
cfg_dup0(const char *s)
{
    return s ? sm_strdup(s) : NULL;
}

static inline void
cfg_collect(const sm_config_entry_t *e, void *opaque)
{
    cfg_entries_t *es = opaque;
    cfg_entry_t *c;

    es->v = sm_realloc(es->v, (size_t)(es->n + 1) * sizeof(*es->v));
    c = &es->v[es->n++];
    memset(c, 0, sizeof(*c));
    c->name = cfg_dup0(e->name);
    c->value = cfg_dup0(e->value);
    c->doc = cfg_dup0(e->doc);
    c->source = e->source;
    c->read_only = e->read_only;
    c->is_sensitive = e->is_sensitive;
    c->type = e->type;
    c->nsyn = e->nsynonyms;
    for (int i = 0; i < e->nsynonyms; i++) {
        c->syn_name[i] = cfg_dup0(e->synonyms[i].name);
        c->syn_value[i] = cfg_dup0(e->synonyms[i].value);
        c->syn_source[i] = e->synonyms[i].source;
    }
}

static inline const cfg_entry_t *
cfg_find(const cfg_entries_t *es, const char *name)
{
    for (int i = 0; i < es->n; i++)
        if (strcmp(es->v[i].name, name) == 0)
            return &es->v[i];
    return NULL;
}

static inline void
cfg_entries_free(cfg_entries_t *es)
{
    for (int i = 0; i < es->n; i++) {
        cfg_entry_t *c = &es->v[i];
        free(c->name);
        free(c->value);
        free(c->doc);
        for (int j = 0; j < c->nsyn; j++) {
            free(c->syn_name[j]);
            free(c->syn_value[j]);
        }
    }
    free(es->v);
    es->v = NULL;
    es->n = 0;
}

/* Path of a file in the source tree ($srcdir/<rel>); static buffer. */
static inline const char *
cfg_src_path(const char *rel)
{
    static char path[4096];
    const char *srcdir = getenv("srcdir");

    snprintf(path, sizeof(path), "%s/%s", srcdir ? srcdir : ".", rel);
    return path;
}

#endif
