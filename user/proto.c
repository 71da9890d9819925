// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Control protocol messages, built and checked with cJSON. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto.h"

static int reject(const char **code, const char *c, char *err, size_t errlen, const char *msg)
{
	*code = c;
	snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

static const struct {
	const char *name;
	int cmd;
} commands[] = {
	{ "status", PROTO_STATUS },
	{ "reset", PROTO_RESET },
	{ "snapshot", PROTO_SNAPSHOT },
};

int proto_parse_request(const char *line, size_t len, struct proto_request *req,
			const char **code, char *err, size_t errlen)
{
	const cJSON *v, *cmd, *pid, *since, *until;
	cJSON *root;
	size_t i;
	int ret = 0;

	memset(req, 0, sizeof(*req));
	if (len > PROTO_MAX_REQUEST)
		return reject(code, "too_large", err, errlen, "request longer than 65536 bytes");
	root = cJSON_ParseWithLengthOpts(line, len, NULL, 0);
	if (!root)
		return reject(code, "bad_json", err, errlen, "request is not valid JSON");
	v = cJSON_GetObjectItemCaseSensitive(root, "v");
	cmd = cJSON_GetObjectItemCaseSensitive(root, "cmd");
	pid = cJSON_GetObjectItemCaseSensitive(root, "pid");
	since = cJSON_GetObjectItemCaseSensitive(root, "since_s");
	until = cJSON_GetObjectItemCaseSensitive(root, "until_s");
	if (!cJSON_IsObject(root))
		ret = reject(code, "bad_request", err, errlen, "request must be a JSON object");
	else if (!cJSON_IsNumber(v))
		ret = reject(code, "bad_version", err, errlen, "missing protocol version \"v\"");
	else if (v->valuedouble != PROTO_VERSION)
		ret = reject(code, "bad_version", err, errlen,
			     "unsupported protocol version (this daemon speaks v1)");
	else if (!cJSON_IsString(cmd))
		ret = reject(code, "bad_request", err, errlen, "missing string \"cmd\"");
	for (i = 0; !ret && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(cmd->valuestring, commands[i].name))
			req->cmd = commands[i].cmd;
	}
	if (!ret && !req->cmd)
		ret = reject(code, "unknown_command", err, errlen,
			     "unknown command (status, reset, snapshot)");
	if (!ret && pid && (!cJSON_IsNumber(pid) || pid->valuedouble < 1 ||
			    pid->valuedouble > 4194304 || pid->valuedouble != floor(pid->valuedouble)))
		ret = reject(code, "bad_request", err, errlen, "\"pid\" must be a process id");
	if (!ret && since && (!cJSON_IsNumber(since) || !(since->valuedouble > 0) ||
			      since->valuedouble > 1e9))
		ret = reject(code, "bad_request", err, errlen, "\"since_s\" must be a positive number");
	if (!ret && until && (!cJSON_IsNumber(until) || !(until->valuedouble >= 0) ||
			      until->valuedouble > 1e9))
		ret = reject(code, "bad_request", err, errlen,
			     "\"until_s\" must be a number of seconds, 0 or more");
	if (!ret) {
		req->pid = pid ? (int32_t)pid->valuedouble : 0;
		req->since_s = since ? since->valuedouble : 0;
		req->until_s = until ? until->valuedouble : 0;
	}
	cJSON_Delete(root);
	return ret;
}

static char *finish_line(cJSON *o)
{
	char *txt = o ? cJSON_PrintUnformatted(o) : NULL, *line = NULL;
	size_t n;

	if (txt) {
		n = strlen(txt);
		line = malloc(n + 2);
		if (line) {
			memcpy(line, txt, n);
			line[n] = '\n';
			line[n + 1] = '\0';
		}
	}
	free(txt);
	cJSON_Delete(o);
	return line;
}

char *proto_request_line(const struct proto_request *req)
{
	cJSON *o = cJSON_CreateObject();
	const char *name = NULL;
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].cmd == req->cmd)
			name = commands[i].name;
	}
	if (!o || !name) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "v", PROTO_VERSION);
	cJSON_AddStringToObject(o, "cmd", name);
	if (req->pid)
		cJSON_AddNumberToObject(o, "pid", req->pid);
	if (req->since_s > 0)
		cJSON_AddNumberToObject(o, "since_s", req->since_s);
	if (req->until_s > 0)
		cJSON_AddNumberToObject(o, "until_s", req->until_s);
	return finish_line(o);
}

char *proto_error_line(const char *code, const char *message)
{
	cJSON *o = cJSON_CreateObject(), *e;

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "v", PROTO_VERSION);
	cJSON_AddFalseToObject(o, "ok");
	e = cJSON_AddObjectToObject(o, "error");
	if (!e || !cJSON_AddStringToObject(e, "code", code) ||
	    !cJSON_AddStringToObject(e, "message", message)) {
		cJSON_Delete(o);
		return NULL;
	}
	return finish_line(o);
}

char *proto_ok_line(const char *key, cJSON *payload)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !payload) {
		cJSON_Delete(o);
		cJSON_Delete(payload);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "v", PROTO_VERSION);
	cJSON_AddTrueToObject(o, "ok");
	cJSON_AddItemToObject(o, key, payload);
	return finish_line(o);
}

int proto_parse_reply(const char *line, size_t len, const char *key, cJSON **root,
		      cJSON **payload, char *err, size_t errlen)
{
	const cJSON *ok, *e, *msg, *v;

	*payload = NULL;
	*root = cJSON_ParseWithLengthOpts(line, len, NULL, 0);
	if (!*root || !cJSON_IsObject(*root)) {
		snprintf(err, errlen, "daemon sent a reply that is not JSON");
		cJSON_Delete(*root);
		*root = NULL;
		return -EBADMSG;
	}
	v = cJSON_GetObjectItemCaseSensitive(*root, "v");
	ok = cJSON_GetObjectItemCaseSensitive(*root, "ok");
	if (!cJSON_IsNumber(v) || v->valuedouble != PROTO_VERSION || !cJSON_IsBool(ok)) {
		snprintf(err, errlen, "daemon speaks another protocol version");
		return -EBADMSG;
	}
	if (cJSON_IsFalse(ok)) {
		e = cJSON_GetObjectItemCaseSensitive(*root, "error");
		msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		snprintf(err, errlen, "%s", cJSON_IsString(msg) ? msg->valuestring : "unknown error");
		return -EPROTO;
	}
	*payload = cJSON_GetObjectItemCaseSensitive(*root, key);
	if (!*payload) {
		snprintf(err, errlen, "daemon reply lacks \"%s\"", key);
		return -EBADMSG;
	}
	return 0;
}
