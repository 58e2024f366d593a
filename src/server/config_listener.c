/*
 * config_listener.c: listeners, advertised.listeners and
 * listener.security.protocol.map, parsed as kafka's EndPoint /
 * CoreUtils.listenerListToEndPoints do.
 *
 *   listeners       = NAME://host:port[,NAME://host:port...]
 *   host            = empty (all interfaces) | name | IPv4 | [IPv6] | IPv6
 *   protocol map    = NAME:PROTOCOL[,NAME:PROTOCOL...]
 *
 * A listener's name is upper-cased ("plaintext://" is PLAINTEXT) and must
 * have an entry in the protocol map; the protocol is one of PLAINTEXT,
 * SSL, SASL_PLAINTEXT, SASL_SSL in any case.  Ports are 0..65535, 0
 * meaning "pick one" (tests); names must be distinct, and for listeners
 * (not advertised.listeners) so must non-zero ports.  Kafka's wording is
 * kept for the errors.  No state; thread-safe.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/sm_mem.h"
#include "server/config_int.h"

#define SM_DEFAULT_PROTO_MAP                                                \
    "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,"            \
    "SASL_SSL:SASL_SSL"

static const char *const sm_security_protocols[] = {
    "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL
};

typedef struct proto_map {
    char **names;                  /* upper-cased listener names */
    const char **protos;           /* static strings */
    int    n;
} proto_map_t;

static char *
listener_upper_dup(const char *s, size_t n)
{
    char *d = sm_strndup(s, n);
    for (char *p = d; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return d;
}

static const char *
listener_protocol(const char *name)
{
    for (int i = 0; sm_security_protocols[i]; i++)
        if (strcasecmp(name, sm_security_protocols[i]) == 0)
            return sm_security_protocols[i];
    return NULL;
}

static void
proto_map_fini(proto_map_t *m)
{
    sm_conf_free_strv(m->names);
    sm_free(m->protos);
}

/* Kafka's CoreUtils.parseCsvMap + SecurityProtocol.forName. */
static sm_err_t
proto_map_parse(const char *text, proto_map_t *m, char *errstr,
                size_t errstr_size)
{
    int n = 0;
    char **items = *text ? sm_conf_split_csv(text, 0, &n)
                         : sm_calloc(1, sizeof(char *));

    m->names = sm_calloc((size_t)n + 1, sizeof(char *));
    m->protos = sm_calloc((size_t)n + 1, sizeof(char *));
    m->n = 0;
    for (int i = 0; i < n; i++) {
        char *colon = strrchr(items[i], ':'), *name, *proto;
        if (colon == NULL) {
            snprintf(errstr, errstr_size, "Error parsing configuration "
                     "property 'listener.security.protocol.map': '%s' is "
                     "not NAME:PROTOCOL", items[i]);
            goto fail;
        }
        *colon = '\0';
        name = sm_conf_trim_dup(items[i]);
        proto = sm_conf_trim_dup(colon + 1);
        m->protos[m->n] = listener_protocol(proto);
        m->names[m->n] = listener_upper_dup(name, strlen(name));
        sm_free(name);
        if (m->protos[m->n] == NULL) {
            snprintf(errstr, errstr_size, "Invalid security protocol `%s` "
                     "defined in listener.security.protocol.map", proto);
            sm_free(proto);
            m->n++;
            goto fail;
        }
        sm_free(proto);
        m->n++;
    }
    sm_conf_free_strv(items);
    return SM_OK;
fail:
    sm_conf_free_strv(items);
    return SM_ERR__CONFIG;
}

static const char *
proto_map_get(const proto_map_t *m, const char *name)
{
    const char *found = NULL;

    for (int i = 0; i < m->n; i++)        /* later entries win, like Map */
        if (strcmp(m->names[i], name) == 0)
            found = m->protos[i];
    return found;
}

/* Host characters Kafka's endpoint pattern allows. */
static int
listener_host_ok(const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!isalnum(c) && !strchr("-%._:", c))
            return 0;
    }
    return 1;
}

/* One "NAME://host:port"; fills *l (name, host, port, protocol). */
static int
listener_parse_one(const char *s, const proto_map_t *m,
                   sm_listener_cfg_t *l, char *why, size_t why_size)
{
    const char *sep = NULL, *rest, *colon, *hb, *he, *proto;
    long port;
    char *end;

    for (const char *p = strstr(s, "://"); p; p = strstr(p + 1, "://"))
        sep = p;
    rest = sep ? sep + 3 : NULL;
    colon = rest ? strrchr(rest, ':') : NULL;
    if (colon == NULL || colon[1] == '\0') {
        snprintf(why, why_size, "Unable to parse %s to a broker endpoint", s);
        return -1;
    }
    hb = rest;
    he = colon;
    if (hb < he && *hb == '[')
        hb++;
    if (he > hb && he[-1] == ']')
        he--;
    port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || !listener_host_ok(hb, (size_t)(he - hb)) ||
        !isdigit((unsigned char)colon[1])) {
        snprintf(why, why_size, "Unable to parse %s to a broker endpoint", s);
        return -1;
    }
    if (port > 65535) {
        snprintf(why, why_size, "port %ld of %s is out of range", port, s);
        return -1;
    }
    l->name = listener_upper_dup(s, (size_t)(sep - s));
    l->host = he > hb ? sm_strndup(hb, (size_t)(he - hb)) : NULL;
    l->port = (int)port;
    proto = proto_map_get(m, l->name);
    l->security_protocol = proto ? sm_strdup(proto) : NULL;
    if (proto == NULL) {
        snprintf(why, why_size, "No security protocol defined for listener "
                 "%s", l->name);
        return -1;
    }
    return 0;
}

/* Distinct names, and distinct non-zero ports when asked. */
static int
listener_check_unique(const sm_listener_cfg_t *v, int n, int ports,
                      const char *spec, char *errstr, size_t errstr_size)
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            if (strcmp(v[i].name, v[j].name) == 0) {
                snprintf(errstr, errstr_size, "Each listener must have a "
                         "different name, listeners: %s", spec);
                return -1;
            }
            if (ports && v[i].port != 0 && v[i].port == v[j].port) {
                snprintf(errstr, errstr_size, "Each listener must have a "
                         "different port, listeners: %s", spec);
                return -1;
            }
        }
    }
    return 0;
}

sm_err_t
sm_config_parse_listeners(const char *spec, const char *proto_map,
                          int distinct_ports, sm_listener_cfg_t **out,
                          int *n, char *errstr, size_t errstr_size)
{
    proto_map_t m;
    sm_listener_cfg_t *v = NULL;
    char why[256], **items = NULL;
    int cnt = 0, nitems = 0;
    sm_err_t err;

    *out = NULL;
    *n = 0;
    err = proto_map_parse(proto_map ? proto_map : SM_DEFAULT_PROTO_MAP, &m,
                          errstr, errstr_size);
    if (err != SM_OK)
        goto out;
    items = sm_conf_split_csv(spec, 1, &nitems);
    v = sm_calloc((size_t)nitems + 1, sizeof(*v));
    for (cnt = 0; cnt < nitems; cnt++) {
        if (listener_parse_one(items[cnt], &m, &v[cnt], why,
                               sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "Error creating broker listeners "
                     "from '%s': %s", spec, why);
            cnt++;
            err = SM_ERR__CONFIG;
            goto out;
        }
    }
    if (listener_check_unique(v, cnt, distinct_ports, spec, errstr,
                              errstr_size) != 0) {
        err = SM_ERR__CONFIG;
        goto out;
    }
    *out = v;
    *n = cnt;
    v = NULL;
out:
    if (v != NULL)
        sm_config_free_listeners(v, cnt);
    sm_conf_free_strv(items);
    proto_map_fini(&m);
    return err;
}

void
sm_config_free_listeners(sm_listener_cfg_t *v, int n)
{
    if (v == NULL)
        return;
    for (int i = 0; i < n; i++) {
        sm_free(v[i].name);
        sm_free(v[i].host);
        sm_free(v[i].security_protocol);
    }
    sm_free(v);
}
