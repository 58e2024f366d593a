/*
 * describeconfigs.c: DescribeConfigs (key 32) v0-2 - request and response
 * codecs for both sides.  Layouts in describeconfigs.h, conventions in
 * msg.h.
 *
 * v0 reports a config's origin as IsDefault; v1 replaces it with
 * ConfigSource and adds the synonym list (Kafka's v0 default for
 * ConfigSource is -1, a placeholder the handler never writes).  None of
 * v0-2 is flexible.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/describeconfigs.h"

#define SM_DC_RESOURCE_MIN  (1 + 2 + 4)
#define SM_DC_RESULT_MIN    (2 + 2 + 1 + 2 + 4)
#define SM_DC_CONFIG_MIN    (2 + 2 + 1 + 1)     /* v1: Name Value RO Sens */
#define SM_DC_SYNONYM_MIN   (2 + 2 + 1)

/* ------------------------------------------------------------- request */

sm_err_t
sm_DescribeConfigsRequest_read(sm_rd_t *rd, int16_t version,
                               sm_DescribeConfigsRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_DESCRIBECONFIGS_MAX_VERSION))
        return rd->err;
    n = sm_msg_rd_count(rd, 0, SM_DC_RESOURCE_MIN, 0);
    req->Resources = sm_msg_calloc(n, sizeof(*req->Resources));
    req->ResourcesCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_DescribeConfigsRequestResource_t *r = &req->Resources[i];

        r->ResourceType = sm_rd_i8(rd);
        r->ResourceName = sm_rd_str(rd, 0);
        r->ConfigurationKeys = sm_msg_rd_strs(rd, 0, 1,
                                              &r->ConfigurationKeysCnt);
    }
    if (version >= 1)
        req->IncludeSynonyms = sm_rd_bool(rd);
    if (rd->err != SM_OK)
        sm_DescribeConfigsRequest_free(req);
    return rd->err;
}

void
sm_DescribeConfigsRequest_free(sm_DescribeConfigsRequest_t *req)
{
    for (int32_t i = 0; i < req->ResourcesCnt; i++)
        sm_free(req->Resources[i].ConfigurationKeys);
    sm_free(req->Resources);
    req->Resources = NULL;
    req->ResourcesCnt = 0;
}

void
sm_DescribeConfigsRequest_write(sm_buf_t *buf, int16_t version,
                                const sm_DescribeConfigsRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_DESCRIBECONFIGS_MAX_VERSION);
    sm_msg_wr_count(buf, req->ResourcesCnt, 0, 0);
    for (int32_t i = 0; i < req->ResourcesCnt; i++) {
        const sm_DescribeConfigsRequestResource_t *r = &req->Resources[i];

        sm_wr_i8(buf, r->ResourceType);
        sm_msg_wr_str(buf, r->ResourceName, 0);
        sm_msg_wr_strs(buf, r->ConfigurationKeys, r->ConfigurationKeysCnt,
                       0, 1);
    }
    if (version >= 1)
        sm_wr_bool(buf, req->IncludeSynonyms);
}

/* ------------------------------------------------------------ response */

static void
sm_dc_config_read(sm_rd_t *rd, int16_t version,
                  sm_DescribeConfigsResponseConfig_t *c)
{
    int32_t n;

    c->Name = sm_rd_str(rd, 0);
    c->Value = sm_rd_nstr(rd, 0);
    c->ReadOnly = sm_rd_bool(rd);
    c->IsDefault = version == 0 ? sm_rd_bool(rd) : 0;
    c->ConfigSource = version >= 1 ? sm_rd_i8(rd) : -1;
    c->IsSensitive = sm_rd_bool(rd);
    if (version < 1)
        return;
    n = sm_msg_rd_count(rd, 0, SM_DC_SYNONYM_MIN, 0);
    c->Synonyms = sm_msg_calloc(n, sizeof(*c->Synonyms));
    c->SynonymsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        c->Synonyms[i].Name = sm_rd_str(rd, 0);
        c->Synonyms[i].Value = sm_rd_nstr(rd, 0);
        c->Synonyms[i].Source = sm_rd_i8(rd);
    }
}

static void
sm_dc_result_read(sm_rd_t *rd, int16_t version,
                  sm_DescribeConfigsResponseResult_t *r)
{
    int32_t n;

    r->ErrorCode = sm_rd_i16(rd);
    r->ErrorMessage = sm_rd_nstr(rd, 0);
    r->ResourceType = sm_rd_i8(rd);
    r->ResourceName = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_DC_CONFIG_MIN, 0);
    r->Configs = sm_msg_calloc(n, sizeof(*r->Configs));
    r->ConfigsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_dc_config_read(rd, version, &r->Configs[i]);
}

sm_err_t
sm_DescribeConfigsResponse_read(sm_rd_t *rd, int16_t version,
                                sm_DescribeConfigsResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_DESCRIBECONFIGS_MAX_VERSION))
        return rd->err;
    resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_DC_RESULT_MIN, 0);
    resp->Results = sm_msg_calloc(n, sizeof(*resp->Results));
    resp->ResultsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_dc_result_read(rd, version, &resp->Results[i]);
    if (rd->err != SM_OK)
        sm_DescribeConfigsResponse_free(resp);
    return rd->err;
}

void
sm_DescribeConfigsResponse_free(sm_DescribeConfigsResponse_t *resp)
{
    for (int32_t i = 0; i < resp->ResultsCnt; i++) {
        sm_DescribeConfigsResponseResult_t *r = &resp->Results[i];

        for (int32_t j = 0; j < r->ConfigsCnt; j++)
            sm_free(r->Configs[j].Synonyms);
        sm_free(r->Configs);
    }
    sm_free(resp->Results);
    resp->Results = NULL;
    resp->ResultsCnt = 0;
}

static void
sm_dc_config_write(sm_buf_t *buf, int16_t version,
                   const sm_DescribeConfigsResponseConfig_t *c)
{
    sm_msg_wr_str(buf, c->Name, 0);
    sm_wr_str(buf, c->Value, 0);
    sm_wr_bool(buf, c->ReadOnly);
    if (version == 0)
        sm_wr_bool(buf, c->IsDefault);
    if (version >= 1)
        sm_wr_i8(buf, c->ConfigSource);
    sm_wr_bool(buf, c->IsSensitive);
    if (version < 1)
        return;
    sm_msg_wr_count(buf, c->SynonymsCnt, 0, 0);
    for (int32_t i = 0; i < c->SynonymsCnt; i++) {
        sm_msg_wr_str(buf, c->Synonyms[i].Name, 0);
        sm_wr_str(buf, c->Synonyms[i].Value, 0);
        sm_wr_i8(buf, c->Synonyms[i].Source);
    }
}

void
sm_DescribeConfigsResponse_write(sm_buf_t *buf, int16_t version,
                                 const sm_DescribeConfigsResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_DESCRIBECONFIGS_MAX_VERSION);
    sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->ResultsCnt, 0, 0);
    for (int32_t i = 0; i < resp->ResultsCnt; i++) {
        const sm_DescribeConfigsResponseResult_t *r = &resp->Results[i];

        sm_wr_i16(buf, r->ErrorCode);
        sm_wr_str(buf, r->ErrorMessage, 0);
        sm_wr_i8(buf, r->ResourceType);
        sm_msg_wr_str(buf, r->ResourceName, 0);
        sm_msg_wr_count(buf, r->ConfigsCnt, 0, 0);
        for (int32_t j = 0; j < r->ConfigsCnt; j++)
            sm_dc_config_write(buf, version, &r->Configs[j]);
    }
}
