/* libsamsa_example.c: the EXAMPLE of libsamsa(3), verbatim (the test
 * t/tools/test_libsamsa_man.sh fails if they differ).  Produces three
 * keyed records to partition 0 of a topic, then reads them back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <samsa.h>

static int delivered;

static void
on_delivery(const samsa_delivery_t *dr, void *opaque)
{
    (void)opaque;
    if (dr->err != SAMSA_OK)
        fprintf(stderr, "delivery failed: %s\n", samsa_err_name(dr->err));
    else
        delivered++;
}

static int
produce(samsa_conf_t *conf, const char *topic)
{
    char errstr[512];
    samsa_producer_t *p;

    samsa_conf_set_delivery_cb(conf, on_delivery, NULL);
    p = samsa_producer_new(conf, errstr, sizeof(errstr));
    if (p == NULL) {
        fprintf(stderr, "%s\n", errstr);
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        char value[32];
        samsa_record_t rec;
        memset(&rec, 0, sizeof(rec));
        snprintf(value, sizeof(value), "hello %d", i);
        rec.topic = topic;
        rec.partition = 0;
        rec.key = "greeting";
        rec.key_len = 8;
        rec.value = value;
        rec.value_len = (int)strlen(value);
        rec.timestamp = -1;                 /* now */
        if (samsa_produce(p, &rec, NULL) != SAMSA_OK)
            fprintf(stderr, "record %d not queued\n", i);
    }
    samsa_producer_close(p, 10000);         /* flushes first */
    return delivered == 3 ? 0 : -1;
}

static int
consume(samsa_conf_t *conf, const char *topic)
{
    char errstr[512];
    samsa_consumer_t *c = samsa_consumer_new(conf, errstr, sizeof(errstr));
    int n = 0;

    if (c == NULL) {
        fprintf(stderr, "%s\n", errstr);
        return -1;
    }
    samsa_consumer_assign(c, topic, 0, SAMSA_OFFSET_BEGINNING);
    for (int tries = 0; n < 3 && tries < 50; tries++) {
        samsa_message_t *m;
        char *errmsg;
        if (samsa_consumer_poll(c, 200, &m, &errmsg) != SAMSA_OK) {
            fprintf(stderr, "poll: %s\n", errmsg ? errmsg : "?");
            free(errmsg);
            break;
        }
        if (m == NULL)
            continue;
        printf("%lld %.*s=%.*s\n", (long long)m->offset, (int)m->key_len,
               (const char *)m->key, (int)m->value_len,
               (const char *)m->value);
        samsa_message_destroy(m);
        n++;
    }
    samsa_consumer_destroy(c);
    return n == 3 ? 0 : -1;
}

int
main(int argc, char **argv)
{
    char errstr[512];
    samsa_conf_t *conf;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: %s host:port topic\n", argv[0]);
        return 2;
    }
    conf = samsa_conf_new();
    if (samsa_conf_set(conf, "bootstrap.servers", argv[1], errstr,
                       sizeof(errstr)) != SAMSA_OK ||
        samsa_conf_set(conf, "acks", "all", errstr,
                       sizeof(errstr)) != SAMSA_OK) {
        fprintf(stderr, "%s\n", errstr);
        samsa_conf_destroy(conf);
        return 1;
    }
    rc = produce(conf, argv[2]) == 0 && consume(conf, argv[2]) == 0;
    samsa_conf_destroy(conf);
    return rc ? 0 : 1;
}
