/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The control protocol: one JSON object per line each way, every message
 * carrying "v" (the protocol version). Documented in docs/protocol.md. */
#ifndef MLPROF_PROTO_H
#define MLPROF_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
/* Longest request line accepted (bytes, without the newline). */
#define PROTO_MAX_REQUEST (64 * 1024)
#define PROTO_DEFAULT_SOCKET "/run/mlprofd.sock"

enum proto_cmd {
	PROTO_STATUS = 1,
	PROTO_RESET,
	PROTO_SNAPSHOT,
};

struct proto_request {
	int cmd;
	int32_t pid;       /* snapshot scope: 0 all */
	double since_s;    /* snapshot scope: samples from this many seconds before now; 0 all */
	double until_s;    /* snapshot scope: samples up to this many seconds before now; 0 now */
};

struct cJSON;

/* Parses one request line. On error returns -EINVAL, with *code set to a
 * short machine-readable code and a message in err. */
int proto_parse_request(const char *line, size_t len, struct proto_request *req,
			const char **code, char *err, size_t errlen);
/* Builds a request line (with newline). malloc'd, NULL on ENOMEM. */
char *proto_request_line(const struct proto_request *req);
/* Builds {"v":1,"ok":false,"error":{"code":...,"message":...}} + "\n". */
char *proto_error_line(const char *code, const char *message);
/* Builds {"v":1,"ok":true,<key>:payload} + "\n"; takes payload. */
char *proto_ok_line(const char *key, struct cJSON *payload);
/* Parses a reply line. On ok, *payload is the item under key (owned by
 * *root, which the caller frees with cJSON_Delete). On an error reply
 * returns -EPROTO with the message in err; on garbage -EBADMSG. */
int proto_parse_reply(const char *line, size_t len, const char *key, struct cJSON **root,
		      struct cJSON **payload, char *err, size_t errlen);

#endif
