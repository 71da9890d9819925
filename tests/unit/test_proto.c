// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* proto: request parsing (valid and every rejection), replies round trip. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "proto.h"

static int parse(const char *line, struct proto_request *req, const char **code)
{
	char err[256] = "";
	int r;

	*code = NULL;
	r = proto_parse_request(line, strlen(line), req, code, err, sizeof(err));
	if (r)
		cr_assert_neq(err[0], '\0', "rejection without a message: %s", line);
	return r;
}

static void reject(const char *line, const char *want_code)
{
	struct proto_request req;
	const char *code;

	cr_assert_eq(parse(line, &req, &code), -EINVAL, "accepted: %s", line);
	cr_assert_str_eq(code, want_code, "%s", line);
}

Test(proto, valid_requests)
{
	struct proto_request req;
	const char *code;

	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"status\"}", &req, &code), 0);
	cr_assert_eq(req.cmd, PROTO_STATUS);
	cr_assert_eq(req.pid, 0);
	cr_assert_eq(req.since_s, 0);
	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"reset\"}", &req, &code), 0);
	cr_assert_eq(req.cmd, PROTO_RESET);
	cr_assert_eq(parse(" {\"cmd\":\"snapshot\", \"v\":1.0, \"pid\":4321, \"since_s\":2.5} ",
			   &req, &code), 0);
	cr_assert_eq(req.cmd, PROTO_SNAPSHOT);
	cr_assert_eq(req.pid, 4321);
	cr_assert_float_eq(req.since_s, 2.5, 1e-12);
	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":4194304}", &req, &code), 0);
	cr_assert_eq(req.pid, 4194304);
	/* Unknown keys are ignored (newer clients). */
	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"status\",\"extra\":[1,2]}", &req, &code), 0);
}

Test(proto, not_json_or_not_object)
{
	reject("", "bad_json");
	reject("garbage", "bad_json");
	reject("{\"v\":1,\"cmd\":\"status\"", "bad_json");
	reject("[1,2,3]", "bad_request");
	reject("\"status\"", "bad_request");
	reject("42", "bad_request");
	reject("null", "bad_request");
}

Test(proto, version)
{
	reject("{\"cmd\":\"status\"}", "bad_version");
	reject("{\"v\":2,\"cmd\":\"status\"}", "bad_version");
	reject("{\"v\":0,\"cmd\":\"status\"}", "bad_version");
	reject("{\"v\":\"1\",\"cmd\":\"status\"}", "bad_version");
	reject("{\"v\":1.5,\"cmd\":\"status\"}", "bad_version");
}

Test(proto, command)
{
	reject("{\"v\":1}", "bad_request");
	reject("{\"v\":1,\"cmd\":7}", "bad_request");
	reject("{\"v\":1,\"cmd\":null}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"shutdown\"}", "unknown_command");
	reject("{\"v\":1,\"cmd\":\"\"}", "unknown_command");
	reject("{\"v\":1,\"cmd\":\"STATUS\"}", "unknown_command");
}

Test(proto, bad_pid)
{
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":0}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":-1}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":1.5}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":\"x\"}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":\"123\"}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":4194305}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":1e300}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"pid\":null}", "bad_request");
}

Test(proto, bad_since)
{
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"since_s\":0}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"since_s\":-5}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"since_s\":\"5\"}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"since_s\":1e10}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"since_s\":true}", "bad_request");
}

Test(proto, until)
{
	struct proto_request req;
	const char *code;
	char err[128];
	const char *ok = "{\"v\":1,\"cmd\":\"snapshot\",\"since_s\":600,\"until_s\":120}";

	cr_assert_eq(proto_parse_request(ok, strlen(ok), &req, &code, err, sizeof(err)), 0);
	cr_assert_float_eq(req.since_s, 600, 1e-12);
	cr_assert_float_eq(req.until_s, 120, 1e-12);
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"until_s\":-1}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"until_s\":\"2m\"}", "bad_request");
	reject("{\"v\":1,\"cmd\":\"snapshot\",\"until_s\":1e10}", "bad_request");
}

Test(proto, oversized_request)
{
	size_t n = PROTO_MAX_REQUEST + 100, i;
	char *line = malloc(n + 1);
	struct proto_request req;
	const char *code = NULL;
	char err[128];

	/* Valid JSON, just too long: rejected before parsing. */
	strcpy(line, "{\"v\":1,\"cmd\":\"status\",\"pad\":\"");
	for (i = strlen(line); i < n - 2; i++)
		line[i] = 'x';
	strcpy(line + n - 2, "\"}");
	cr_assert_eq(proto_parse_request(line, n, &req, &code, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(code, "too_large");
	/* At the limit it is accepted. */
	strcpy(line + PROTO_MAX_REQUEST - 2, "\"}");
	cr_assert_eq(proto_parse_request(line, PROTO_MAX_REQUEST, &req, &code, err, sizeof(err)),
		     0);
	free(line);
}

Test(proto, length_is_respected)
{
	/* Only the first len bytes count: a valid prefix of a longer buffer. */
	const char *buf = "{\"v\":1,\"cmd\":\"reset\"}trailing junk";
	struct proto_request req;
	const char *code;
	char err[64];

	cr_assert_eq(proto_parse_request(buf, 21, &req, &code, err, sizeof(err)), 0);
	cr_assert_eq(req.cmd, PROTO_RESET);
	cr_assert_eq(proto_parse_request(buf, 10, &req, &code, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(code, "bad_json");
}

Test(proto, request_line_round_trip)
{
	struct proto_request in = { .cmd = PROTO_SNAPSHOT, .pid = 77, .since_s = 30, .until_s = 5 },
			     out;
	const char *code;
	char err[64], *line;

	line = proto_request_line(&in);
	cr_assert_not_null(line);
	cr_assert_eq(line[strlen(line) - 1], '\n');
	cr_assert_eq(proto_parse_request(line, strlen(line) - 1, &out, &code, err, sizeof(err)), 0);
	cr_assert_eq(out.cmd, PROTO_SNAPSHOT);
	cr_assert_eq(out.pid, 77);
	cr_assert_float_eq(out.since_s, 30, 1e-12);
	cr_assert_float_eq(out.until_s, 5, 1e-12);
	free(line);
	in.cmd = 99;
	cr_assert_null(proto_request_line(&in));
}

Test(proto, ok_reply_round_trip)
{
	cJSON *payload = cJSON_CreateObject(), *root = NULL, *got = NULL;
	char err[128] = "", *line;

	cJSON_AddNumberToObject(payload, "samples", 1234);
	cJSON_AddStringToObject(payload, "host", "h\"q");
	line = proto_ok_line("status", payload);
	cr_assert_not_null(line);
	cr_assert_eq(line[strlen(line) - 1], '\n');
	cr_assert_eq(strchr(line, '\n'), line + strlen(line) - 1, "one line only");
	cr_assert_eq(proto_parse_reply(line, strlen(line), "status", &root, &got, err,
				       sizeof(err)), 0);
	cr_assert_not_null(got);
	cr_assert_eq(cJSON_GetObjectItemCaseSensitive(got, "samples")->valuedouble, 1234);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(got, "host")->valuestring, "h\"q");
	cJSON_Delete(root);

	/* The wrong key: not there. */
	cr_assert_eq(proto_parse_reply(line, strlen(line), "snapshot", &root, &got, err,
				       sizeof(err)), -EBADMSG);
	cr_assert_null(got);
	cr_assert_not_null(strstr(err, "snapshot"));
	cJSON_Delete(root);
	free(line);
	cr_assert_null(proto_ok_line("x", NULL));
}

Test(proto, error_reply_round_trip)
{
	cJSON *root = NULL, *got = NULL, *e;
	char err[128] = "", *line;

	line = proto_error_line("unknown_command", "unknown command (status, reset, snapshot)");
	cr_assert_not_null(line);
	cr_assert_eq(proto_parse_reply(line, strlen(line), "status", &root, &got, err,
				       sizeof(err)), -EPROTO);
	cr_assert_str_eq(err, "unknown command (status, reset, snapshot)");
	cr_assert_null(got);
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring,
			 "unknown_command");
	cJSON_Delete(root);
	free(line);
}

static int reply(const char *line, char *err, size_t errlen)
{
	cJSON *root = NULL, *got = NULL;
	int r = proto_parse_reply(line, strlen(line), "status", &root, &got, err, errlen);

	cJSON_Delete(root);
	return r;
}

Test(proto, bad_replies)
{
	char err[128];

	cr_assert_eq(reply("", err, sizeof(err)), -EBADMSG);
	cr_assert_eq(reply("not json", err, sizeof(err)), -EBADMSG);
	cr_assert_eq(reply("[1]", err, sizeof(err)), -EBADMSG);
	cr_assert_eq(reply("{\"v\":2,\"ok\":true,\"status\":{}}", err, sizeof(err)), -EBADMSG);
	cr_assert_not_null(strstr(err, "version"));
	cr_assert_eq(reply("{\"ok\":true,\"status\":{}}", err, sizeof(err)), -EBADMSG);
	cr_assert_eq(reply("{\"v\":1,\"ok\":1,\"status\":{}}", err, sizeof(err)), -EBADMSG);
	cr_assert_eq(reply("{\"v\":1,\"ok\":false}", err, sizeof(err)), -EPROTO);
	cr_assert_str_eq(err, "unknown error");
	cr_assert_eq(reply("{\"v\":1,\"ok\":true,\"status\":{}}", err, sizeof(err)), 0);
}
