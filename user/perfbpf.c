// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A perf event running a BPF program (perfbpf.h). */
#include <errno.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "perfbpf.h"

int perfbpf_open(struct perf_event_attr *attr, int pid, int cpu, int prog_fd)
{
	int fd, err = 0;

	attr->size = sizeof(*attr);
	attr->disabled = 1;
	fd = (int)syscall(__NR_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0))
		err = -errno;
	if (err) {
		close(fd);
		fd = err;
	}
	return fd;
}
