/*
 * describeconfigs.h: DescribeConfigs (ApiKey 32), versions 0-2, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (DescribeConfigsRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   Resources              []        0+
 *     ResourceType         int8      0+   (2 topic, 4 broker)
 *     ResourceName         string    0+
 *     ConfigurationKeys    []string  0+, null 0+   (null: all keys)
 *   IncludeSynonyms        bool      1+        false
 *
 * Response (DescribeConfigsResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     0+
 *   Results                []        0+
 *     ErrorCode            int16     0+
 *     ErrorMessage         nstring   0+
 *     ResourceType         int8      0+
 *     ResourceName         string    0+
 *     Configs              []        0+
 *       Name               string    0+
 *       Value              nstring   0+
 *       ReadOnly           bool      0+
 *       IsDefault          bool      0         false
 *       ConfigSource       int8      1+        -1
 *       IsSensitive        bool      0+
 *       Synonyms           []        1+        empty
 *         Name             string    1+
 *         Value            nstring   1+
 *         Source           int8      1+
 *
 * Example, v0 request for all configs of topic "t":
 *   00 00 00 01 | 02 | 00 01 74 | ff ff ff ff.
 */
#ifndef SM_PROTOCOL_DESCRIBECONFIGS_H
#define SM_PROTOCOL_DESCRIBECONFIGS_H

#include "protocol/msg.h"

#define SM_DESCRIBECONFIGS_MAX_VERSION 2

/* ResourceType values (Kafka ConfigResource.Type). */
#define SM_CONFIG_RESOURCE_TOPIC  2
#define SM_CONFIG_RESOURCE_BROKER 4

/* ConfigSource values (Kafka DescribeConfigsResponse.ConfigSource).  The
 * names differ from server/config.h's sm_config_source_t (same values) so
 * that a handler can include both headers. */
enum sm_dc_config_source {
    SM_DC_SOURCE_UNKNOWN = 0,
    SM_DC_SOURCE_TOPIC = 1,
    SM_DC_SOURCE_DYNAMIC_BROKER = 2,
    SM_DC_SOURCE_DYNAMIC_DEFAULT_BROKER = 3,
    SM_DC_SOURCE_STATIC_BROKER = 4,
    SM_DC_SOURCE_DEFAULT = 5,
    SM_DC_SOURCE_DYNAMIC_BROKER_LOGGER = 6,
};

/* Kafka: DescribeConfigsResource */
typedef struct sm_DescribeConfigsRequestResource {
    int8_t    ResourceType;
    sm_str_t  ResourceName;
    int32_t   ConfigurationKeysCnt;       /* -1: null = every key */
    sm_str_t *ConfigurationKeys;
} sm_DescribeConfigsRequestResource_t;

typedef struct sm_DescribeConfigsRequest {
    int16_t ApiVersion;
    int32_t ResourcesCnt;
    sm_DescribeConfigsRequestResource_t *Resources;
    int     IncludeSynonyms;              /* v1+ */
} sm_DescribeConfigsRequest_t;

/* Kafka: DescribeConfigsSynonym */
typedef struct sm_DescribeConfigsResponseSynonym {
    sm_str_t Name;
    sm_str_t Value;                       /* nullable */
    int8_t   Source;
} sm_DescribeConfigsResponseSynonym_t;

/* Kafka: DescribeConfigsResourceResult */
typedef struct sm_DescribeConfigsResponseConfig {
    sm_str_t Name;
    sm_str_t Value;                       /* nullable */
    int      ReadOnly;
    int      IsDefault;                   /* v0 only */
    int8_t   ConfigSource;                /* v1+ */
    int      IsSensitive;
    int32_t  SynonymsCnt;                 /* v1+ */
    sm_DescribeConfigsResponseSynonym_t *Synonyms;
} sm_DescribeConfigsResponseConfig_t;

/* Kafka: DescribeConfigsResult */
typedef struct sm_DescribeConfigsResponseResult {
    int16_t  ErrorCode;
    sm_str_t ErrorMessage;                /* nullable */
    int8_t   ResourceType;
    sm_str_t ResourceName;
    int32_t  ConfigsCnt;
    sm_DescribeConfigsResponseConfig_t *Configs;
} sm_DescribeConfigsResponseResult_t;

typedef struct sm_DescribeConfigsResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;
    int32_t ResultsCnt;
    sm_DescribeConfigsResponseResult_t *Results;
} sm_DescribeConfigsResponse_t;

sm_err_t sm_DescribeConfigsRequest_read(sm_rd_t *rd, int16_t version,
                                        sm_DescribeConfigsRequest_t *req);
void     sm_DescribeConfigsRequest_free(sm_DescribeConfigsRequest_t *req);
void     sm_DescribeConfigsRequest_write(
             sm_buf_t *buf, int16_t version,
             const sm_DescribeConfigsRequest_t *req);

sm_err_t sm_DescribeConfigsResponse_read(sm_rd_t *rd, int16_t version,
                                         sm_DescribeConfigsResponse_t *resp);
void     sm_DescribeConfigsResponse_free(sm_DescribeConfigsResponse_t *resp);
void     sm_DescribeConfigsResponse_write(
             sm_buf_t *buf, int16_t version,
             const sm_DescribeConfigsResponse_t *resp);

#endif
