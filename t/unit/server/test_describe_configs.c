/*
 * test_describe_configs.c: the DescribeConfigs handler
 * (server/describe_configs.c) against ZooKeeper (admin_harness.h): topic
 * resources over /config/topics overrides, broker resources (this broker,
 * the cluster default, other ids), filters, v0 IsDefault, v1+ sources and
 * synonyms, sensitive values, and the unknown resource type rule.
 */
#include <string.h>

#include "admin_harness.h"
#include "common/sm_mem.h"
#include "protocol/describeconfigs.h"
#include "sm_test.h"

static const int32_t ids1[] = { 1 };
static const int32_t rep1[] = { 1 };

static void
dc_write(sm_buf_t *buf, int16_t v, const void *m)
{
    sm_DescribeConfigsRequest_write(buf, v, m);
}

typedef struct dc_out {
    ah_resp_t *r;
    sm_DescribeConfigsResponse_t m;
} dc_out_t;

static sm_DescribeConfigsRequestResource_t
res(int8_t type, const char *name)
{
    sm_DescribeConfigsRequestResource_t r;

    memset(&r, 0, sizeof(r));
    r.ResourceType = type;
    r.ResourceName = sm_str_cstr(name);
    r.ConfigurationKeysCnt = -1;
    return r;
}

static void
dc_call(ah_t *h, int16_t v, sm_DescribeConfigsRequestResource_t *rs, int n,
        int synonyms, dc_out_t *o)
{
    sm_DescribeConfigsRequest_t req = { 0 };
    sm_rd_t rd;

    req.ResourcesCnt = n;
    req.Resources = rs;
    req.IncludeSynonyms = synonyms;
    ah_send(h, SM_API_DescribeConfigs, v, dc_write, &req);
    memset(o, 0, sizeof(*o));
    o->r = ah_wait(0);
    ck_assert_msg(o->r != NULL, "no DescribeConfigs response");
    rd = ah_body(o->r, SM_API_DescribeConfigs, v);
    ck_assert_int_eq(sm_DescribeConfigsResponse_read(&rd, v, &o->m), SM_OK);
    ck_assert_int_eq(o->m.ResultsCnt, n);
}

static void
dc_out_free(dc_out_t *o)
{
    sm_DescribeConfigsResponse_free(&o->m);
    ah_resp_free(o->r);
}

static const sm_DescribeConfigsResponseConfig_t *
find(const sm_DescribeConfigsResponseResult_t *r, const char *name)
{
    for (int32_t i = 0; i < r->ConfigsCnt; i++)
        if (sm_str_eq_cstr(r->Configs[i].Name, name))
            return &r->Configs[i];
    return NULL;
}

static void
check_result(const sm_DescribeConfigsResponseResult_t *r, int8_t type,
             const char *name, sm_err_t err, const char *msg)
{
    ck_assert_int_eq(r->ResourceType, type);
    ck_assert(sm_str_eq_cstr(r->ResourceName, name));
    ck_assert_msg(r->ErrorCode == err, "%s: %s, want %s (%.*s)", name,
                  sm_err_name(r->ErrorCode), sm_err_name(err),
                  SM_STR_ARG(r->ErrorMessage));
    if (msg == NULL)
        ck_assert_int_lt(r->ErrorMessage.len, 0);
    else
        ck_assert_msg(sm_str_eq_cstr(r->ErrorMessage, msg),
                      "message '%.*s', want '%s'",
                      SM_STR_ARG(r->ErrorMessage), msg);
    if (err != SM_OK)
        ck_assert_int_eq(r->ConfigsCnt, 0);
}

static void
check_value(const sm_DescribeConfigsResponseConfig_t *c, const char *v)
{
    ck_assert_ptr_nonnull(c);
    if (v == NULL)
        ck_assert_int_lt(c->Value.len, 0);
    else
        ck_assert_msg(sm_str_eq_cstr(c->Value, v), "%.*s = '%.*s', want "
                      "'%s'", SM_STR_ARG(c->Name), SM_STR_ARG(c->Value), v);
}

/* A topic "t" with retention.ms=1000 in /config/topics/t. */
static void
make_t(ah_t *h)
{
    sm_zk_config_t zc = { 0 };

    ah_make_topic(h, "t", 1, rep1, 1);
    sm_zk_config_set(&zc, "retention.ms", "1000");
    ck_assert_int_eq(sm_zk_set_entity_config(h->b.zk, SM_ZK_ENTITY_TOPICS,
                                             "t", &zc), SM_OK);
    sm_zk_config_fini(&zc);
}

START_TEST(describe_configs__topic_v1_synonyms)
{
    sm_DescribeConfigsRequestResource_t rs[1] = { res(2, "t") };
    const sm_DescribeConfigsResponseConfig_t *c;
    dc_out_t o;
    ah_t h;

    ah_init(&h, "log.segment.bytes=2000000\n", ids1, NULL, 1, 1);
    make_t(&h);
    dc_call(&h, 1, rs, 1, 1, &o);
    check_result(&o.m.Results[0], 2, "t", SM_OK, NULL);
    ck_assert_int_gt(o.m.Results[0].ConfigsCnt, 20);
    c = find(&o.m.Results[0], "retention.ms");
    check_value(c, "1000");
    ck_assert_int_eq(c->ConfigSource, SM_DC_SOURCE_TOPIC);
    ck_assert_int_eq(c->ReadOnly, 0);
    ck_assert_int_eq(c->IsSensitive, 0);
    ck_assert_int_ge(c->SynonymsCnt, 1);
    ck_assert(sm_str_eq_cstr(c->Synonyms[0].Name, "retention.ms"));
    ck_assert(sm_str_eq_cstr(c->Synonyms[0].Value, "1000"));
    ck_assert_int_eq(c->Synonyms[0].Source, SM_DC_SOURCE_TOPIC);
    c = find(&o.m.Results[0], "segment.bytes");
    check_value(c, "2000000");
    ck_assert_int_eq(c->ConfigSource, SM_DC_SOURCE_STATIC_BROKER);
    ck_assert_int_eq(c->SynonymsCnt, 2);
    ck_assert(sm_str_eq_cstr(c->Synonyms[0].Name, "log.segment.bytes"));
    ck_assert_int_eq(c->Synonyms[0].Source, SM_DC_SOURCE_STATIC_BROKER);
    ck_assert(sm_str_eq_cstr(c->Synonyms[1].Value, "1073741824"));
    ck_assert_int_eq(c->Synonyms[1].Source, SM_DC_SOURCE_DEFAULT);
    c = find(&o.m.Results[0], "cleanup.policy");
    check_value(c, "delete");
    ck_assert_int_eq(c->ConfigSource, SM_DC_SOURCE_DEFAULT);
    dc_out_free(&o);
    /* v2 without IncludeSynonyms: none */
    dc_call(&h, 2, rs, 1, 0, &o);
    c = find(&o.m.Results[0], "retention.ms");
    check_value(c, "1000");
    ck_assert_int_eq(c->SynonymsCnt, 0);
    dc_out_free(&o);
    ah_fini(&h);
}
END_TEST

START_TEST(describe_configs__topic_v0_is_default)
{
    sm_DescribeConfigsRequestResource_t rs[1] = { res(2, "t") };
    const sm_DescribeConfigsResponseConfig_t *c;
    dc_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids1, NULL, 1, 1);
    make_t(&h);
    dc_call(&h, 0, rs, 1, 1, &o);
    c = find(&o.m.Results[0], "retention.ms");
    check_value(c, "1000");
    ck_assert_int_eq(c->IsDefault, 0);
    ck_assert_int_eq(c->SynonymsCnt, 0);        /* not in v0 */
    c = find(&o.m.Results[0], "segment.bytes");
    check_value(c, "1073741824");
    ck_assert_int_eq(c->IsDefault, 1);
    dc_out_free(&o);
    ah_fini(&h);
}
END_TEST

START_TEST(describe_configs__filters_and_errors)
{
    sm_str_t keys[2] = { { "retention.ms", 12 }, { "nope", 4 } };
    sm_DescribeConfigsRequestResource_t rs[4] = {
        res(2, "t"), res(2, "t"), res(2, "zz"), res(2, "bad/name") };
    dc_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids1, NULL, 1, 1);
    make_t(&h);
    rs[0].ConfigurationKeysCnt = 2;
    rs[0].ConfigurationKeys = keys;
    rs[1].ConfigurationKeysCnt = 0;             /* empty, not null */
    dc_call(&h, 1, rs, 4, 0, &o);
    check_result(&o.m.Results[0], 2, "t", SM_OK, NULL);
    ck_assert_int_eq(o.m.Results[0].ConfigsCnt, 1);
    check_value(&o.m.Results[0].Configs[0], "1000");
    check_result(&o.m.Results[1], 2, "t", SM_OK, NULL);
    ck_assert_int_eq(o.m.Results[1].ConfigsCnt, 0);
    check_result(&o.m.Results[2], 2, "zz",
                 SM_ERR_UNKNOWN_TOPIC_OR_PARTITION, NULL);
    check_result(&o.m.Results[3], 2, "bad/name",
                 SM_ERR_INVALID_TOPIC_EXCEPTION, "Topic name \"bad/name\" "
                 "is illegal, it contains a character other than ASCII "
                 "alphanumerics, '.', '_' and '-'");
    dc_out_free(&o);
    ah_fini(&h);
}
END_TEST

START_TEST(describe_configs__broker)
{
    sm_DescribeConfigsRequestResource_t rs[5] = {
        res(4, "1"), res(4, ""), res(4, "2"), res(4, "x1"), res(4, "+1") };
    const sm_DescribeConfigsResponseConfig_t *c;
    dc_out_t o;
    ah_t h;

    ah_init(&h, "ssl.key.password=secret\nnum.io.threads=4\n", ids1, NULL,
            1, 1);
    dc_call(&h, 1, rs, 5, 1, &o);
    check_result(&o.m.Results[0], 4, "1", SM_OK, NULL);
    c = find(&o.m.Results[0], "num.io.threads");
    check_value(c, "4");
    ck_assert_int_eq(c->ConfigSource, SM_DC_SOURCE_STATIC_BROKER);
    ck_assert_int_eq(c->ReadOnly, 0);
    c = find(&o.m.Results[0], "broker.id");
    check_value(c, "1");
    ck_assert_int_eq(c->ReadOnly, 1);
    c = find(&o.m.Results[0], "ssl.key.password");
    check_value(c, NULL);
    ck_assert_int_eq(c->IsSensitive, 1);
    ck_assert_int_ge(c->SynonymsCnt, 1);
    ck_assert_int_lt(c->Synonyms[0].Value.len, 0);
    /* the cluster default: nothing set dynamically */
    check_result(&o.m.Results[1], 4, "", SM_OK, NULL);
    ck_assert_int_eq(o.m.Results[1].ConfigsCnt, 0);
    check_result(&o.m.Results[2], 4, "2", SM_ERR_INVALID_REQUEST,
                 "Unexpected broker id, expected 1 or empty string, but "
                 "received ConfigResource(type=BROKER, name='2').name");
    check_result(&o.m.Results[3], 4, "x1", SM_ERR_INVALID_REQUEST,
                 "Broker id must be an integer, but it is: x1");
    check_result(&o.m.Results[4], 4, "+1", SM_OK, NULL);  /* parseInt */
    dc_out_free(&o);
    ah_fini(&h);
}
END_TEST

/* Kafka 2.3 fails the whole request on a resource type it does not know. */
START_TEST(describe_configs__unknown_type)
{
    sm_DescribeConfigsRequestResource_t rs[3] = {
        res(2, "t"), res(3, "x"), res(4, "1") };
    dc_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids1, NULL, 1, 1);
    make_t(&h);
    dc_call(&h, 2, rs, 3, 0, &o);
    check_result(&o.m.Results[0], 2, "t", SM_ERR_INVALID_REQUEST,
                 "Unexpected resource type UNKNOWN for resource x");
    check_result(&o.m.Results[1], 3, "x", SM_ERR_INVALID_REQUEST,
                 "Unexpected resource type UNKNOWN for resource x");
    check_result(&o.m.Results[2], 4, "1", SM_ERR_INVALID_REQUEST,
                 "Unexpected resource type UNKNOWN for resource x");
    dc_out_free(&o);
    ah_fini(&h);
}
END_TEST

Suite *
sm_test_suite_describe_configs(void)
{
    Suite *s = suite_create("describe_configs");
    TCase *tc = tcase_create("handler");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, describe_configs__topic_v1_synonyms);
    tcase_add_test(tc, describe_configs__topic_v0_is_default);
    tcase_add_test(tc, describe_configs__filters_and_errors);
    tcase_add_test(tc, describe_configs__broker);
    tcase_add_test(tc, describe_configs__unknown_type);
    suite_add_tcase(s, tc);
    return s;
}
