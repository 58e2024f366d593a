/* test_config_listener.c: listener lists and the security protocol map
 * (config_listener.c). */
#include <string.h>

#include "config_util.h"

static sm_listener_cfg_t *
parse_ok(const char *spec, const char *map, int ports, int *n)
{
    sm_listener_cfg_t *v;
    char err[512] = "";

    ck_assert_msg(sm_config_parse_listeners(spec, map, ports, &v, n, err,
                                            sizeof(err)) == SM_OK,
                  "%s: %s", spec, err);
    return v;
}

static void
parse_fails(const char *spec, const char *map, int ports, const char *why)
{
    sm_listener_cfg_t *v;
    char err[512] = "";
    int n = -1;

    ck_assert_int_eq(sm_config_parse_listeners(spec, map, ports, &v, &n, err,
                                               sizeof(err)), SM_ERR__CONFIG);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(n, 0);
    ck_assert_msg(strstr(err, why) != NULL, "'%s' not in '%s'", why, err);
}

START_TEST(listener__names_hosts_ports)
{
    int n;
    sm_listener_cfg_t *v = parse_ok(
        "PLAINTEXT://host.example:9092, internal://[::1]:0,"
        "REPL://::1:9094,EXT://:9095,V4://10.0.0.1:9096",
        "PLAINTEXT:PLAINTEXT, INTERNAL : plaintext,REPL:SSL,EXT:SASL_SSL,"
        "V4:SASL_PLAINTEXT", 1, &n);

    ck_assert_int_eq(n, 5);
    ck_assert_str_eq(v[0].name, "PLAINTEXT");
    ck_assert_str_eq(v[0].host, "host.example");
    ck_assert_int_eq(v[0].port, 9092);
    ck_assert_str_eq(v[0].security_protocol, "PLAINTEXT");
    ck_assert_str_eq(v[1].name, "INTERNAL");
    ck_assert_str_eq(v[1].host, "::1");
    ck_assert_int_eq(v[1].port, 0);
    ck_assert_str_eq(v[1].security_protocol, "PLAINTEXT");
    ck_assert_str_eq(v[2].host, "::1");
    ck_assert_int_eq(v[2].port, 9094);
    ck_assert_str_eq(v[2].security_protocol, "SSL");
    ck_assert_ptr_null(v[3].host);
    ck_assert_str_eq(v[3].security_protocol, "SASL_SSL");
    ck_assert_str_eq(v[4].host, "10.0.0.1");
    ck_assert_str_eq(v[4].security_protocol, "SASL_PLAINTEXT");
    sm_config_free_listeners(v, n);
}
END_TEST

START_TEST(listener__default_map_and_empty)
{
    int n;
    sm_listener_cfg_t *v = parse_ok("ssl://:9093", NULL, 1, &n);

    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(v[0].name, "SSL");
    ck_assert_str_eq(v[0].security_protocol, "SSL");
    sm_config_free_listeners(v, n);
    v = parse_ok("", NULL, 1, &n);
    ck_assert_int_eq(n, 0);
    sm_config_free_listeners(v, n);
}
END_TEST

START_TEST(listener__duplicates)
{
    int n;
    sm_listener_cfg_t *v;

    parse_fails("PLAINTEXT://:9092,plaintext://:9093", NULL, 1,
                "Each listener must have a different name");
    parse_fails("PLAINTEXT://:9092,SSL://:9092", NULL, 1,
                "Each listener must have a different port");
    v = parse_ok("PLAINTEXT://a:9092,SSL://b:9092", NULL, 0, &n);
    ck_assert_int_eq(n, 2);                 /* advertised may share ports */
    sm_config_free_listeners(v, n);
    v = parse_ok("PLAINTEXT://:0,SSL://:0", NULL, 1, &n);
    ck_assert_int_eq(n, 2);                 /* port 0 may repeat */
    sm_config_free_listeners(v, n);
}
END_TEST

START_TEST(listener__syntax_errors)
{
    parse_fails("FOO://:1", NULL, 1,
                "No security protocol defined for listener FOO");
    parse_fails("localhost:9092", NULL, 1,
                "Unable to parse localhost:9092 to a broker endpoint");
    parse_fails("PLAINTEXT://host", NULL, 1, "Unable to parse");
    parse_fails("PLAINTEXT://host:", NULL, 1, "Unable to parse");
    parse_fails("PLAINTEXT://ho st:1", NULL, 1, "Unable to parse");
    parse_fails("PLAINTEXT://host:-1", NULL, 1, "Unable to parse");
    parse_fails("PLAINTEXT://host:99999", NULL, 1, "out of range");
    parse_fails("PLAINTEXT://:1", "PLAINTEXT", 1, "not NAME:PROTOCOL");
    parse_fails("PLAINTEXT://:1", "PLAINTEXT:TLS", 1,
                "Invalid security protocol `TLS`");
    parse_fails("PLAINTEXT://:1,BAD", NULL, 1,
                "Error creating broker listeners from 'PLAINTEXT://:1,BAD'");
}
END_TEST

START_TEST(listener__config_fills_net_config)
{
    sm_config_t *cfg = cfg_ok("zookeeper.connect=z:1\n"
                              "listeners=CLIENT://0.0.0.0:0,"
                              "BROKER://127.0.0.1:0\n"
                              "advertised.listeners=CLIENT://h1:9092,"
                              "BROKER://h1:9093\n"
                              "listener.security.protocol.map=CLIENT:"
                              "PLAINTEXT,BROKER:PLAINTEXT\n"
                              "inter.broker.listener.name=broker\n");
    sm_net_config_t nc;
    const sm_listener_cfg_t *a;
    int n;

    sm_config_net_config(cfg, &nc);
    ck_assert_int_eq(nc.nlisteners, 2);
    ck_assert_str_eq(nc.listeners[0].name, "CLIENT");
    ck_assert_str_eq(nc.listeners[1].host, "127.0.0.1");
    a = sm_config_advertised_listeners(cfg, &n);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(a[1].host, "h1");
    ck_assert_int_eq(a[1].port, 9093);
    ck_assert_str_eq(sm_config_inter_broker_listener(cfg), "BROKER");
    sm_config_destroy(cfg);
}
END_TEST

Suite *
sm_test_suite_config_listener(void)
{
    Suite *s = suite_create("config_listener");
    TCase *tc = tcase_create("config_listener");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, listener__names_hosts_ports);
    tcase_add_test(tc, listener__default_map_and_empty);
    tcase_add_test(tc, listener__duplicates);
    tcase_add_test(tc, listener__syntax_errors);
    tcase_add_test(tc, listener__config_fills_net_config);
    suite_add_tcase(s, tc);
    return s;
}
