/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A running process's memory as the kernel reports it in
 * /proc/PID/status: peak RSS (VmHWM) and anonymous resident memory
 * (RssAnon), for peaks seen while targets still run. */
#ifndef MLPROF_PROCSTATUS_H
#define MLPROF_PROCSTATUS_H

#include <stddef.h>
#include <stdint.h>

struct procstatus {
	uint64_t hwm_kb;      /* VmHWM: peak resident set so far */
	uint64_t rss_kb;      /* VmRSS */
	uint64_t anon_kb;     /* RssAnon */
	int32_t ns_pid;       /* NSpid's last: its pid in its own PID namespace */
};

/* Parses the text of a status file (lines as statusfile_scan sees them; a
 * repeated key counts as absent). 0, or -ENOENT if it has no VmHWM (a
 * kernel thread, or a process whose memory is already gone). */
int procstatus_parse(const char *buf, size_t len, struct procstatus *out);
/* Reads /proc/PID/status. 0 or -errno. */
int procstatus_read(int pid, struct procstatus *out);

#endif
