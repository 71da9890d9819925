/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The HTTPS certificate and key (--http-tls-cert, --http-tls-key), read
 * once at start as root: not through a symlink, regular files owned by
 * root, the certificate not writable by group or others, the key not
 * readable by them either (the token file's rule), each at most
 * HTTPTLS_MAX bytes of PEM. */
#ifndef MLPROF_HTTPTLS_H
#define MLPROF_HTTPTLS_H

#include <stddef.h>
#include <sys/stat.h>

#define HTTPTLS_MAX (256u * 1024u)

/* The file's owner and mode are acceptable for a certificate (secret = 0:
 * group/others may read, not write) or a key (secret = 1: no access for
 * group/others). 0, or -EPERM with the reason in err. */
int httptls_check_stat(const struct stat *st, uid_t owner, int secret, char *err, size_t errlen);
/* Reads a PEM file under those rules into a malloc'd NUL-terminated
 * string (*out). It must hold a "-----BEGIN " line. 0 or -errno with err. */
int httptls_load(const char *path, int secret, char **out, char *err, size_t errlen);
/* Frees a loaded key or certificate, zeroing it first. */
void httptls_free(char *pem);

#endif
