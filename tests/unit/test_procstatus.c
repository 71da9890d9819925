// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "procstatus.h"

static const char STATUS[] =
	"Name:\tpython3.11\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"VmPeak:\t  123456 kB\n"
	"VmHWM:\t   98765 kB\n"
	"VmRSS:\t   54321 kB\n"
	"RssAnon:\t   40000 kB\n"
	"RssFile:\t   14000 kB\n"
	"RssShmem:\t     321 kB\n"
	"Threads:\t1\n";

Test(procstatus, reads_the_three_values)
{
	struct procstatus ps;

	cr_assert_eq(procstatus_parse(STATUS, strlen(STATUS), &ps), 0);
	cr_assert_eq(ps.hwm_kb, 98765);
	cr_assert_eq(ps.rss_kb, 54321);
	cr_assert_eq(ps.anon_kb, 40000);
}

Test(procstatus, kernel_thread_has_no_memory)
{
	static const char k[] = "Name:\tkthreadd\nState:\tS (sleeping)\nThreads:\t1\n";
	struct procstatus ps;

	cr_assert_eq(procstatus_parse(k, strlen(k), &ps), -ENOENT);
	cr_assert_eq(ps.hwm_kb, 0);
}

Test(procstatus, truncated_and_malformed_lines)
{
	struct procstatus ps;
	static const char bad[] = "VmHWM:\nVmRSS:\t  zz kB\nRssAnon:";
	size_t cut = strstr(STATUS, "RssAnon") - STATUS + 12; /* mid-number */

	cr_assert_eq(procstatus_parse(bad, strlen(bad), &ps), 0);
	cr_assert_eq(ps.hwm_kb, 0);
	cr_assert_eq(ps.rss_kb, 0);
	cr_assert_eq(ps.anon_kb, 0);
	cr_assert_eq(procstatus_parse(STATUS, cut, &ps), 0);
	cr_assert_eq(ps.hwm_kb, 98765);
	cr_assert_lt(ps.anon_kb, 40000);
	cr_assert_eq(procstatus_parse("", 0, &ps), -ENOENT);
	cr_assert_eq(procstatus_parse("VmHWM: 99999999999999999999999 kB\n", 34, &ps), 0);
	cr_assert_gt(ps.hwm_kb, 0);
}

Test(procstatus, own_process_and_a_missing_one)
{
	struct procstatus ps;

	cr_assert_eq(procstatus_read(getpid(), &ps), 0);
	cr_assert_gt(ps.hwm_kb, 0);
	cr_assert_geq(ps.hwm_kb, ps.rss_kb);
	cr_assert_leq(ps.anon_kb, ps.rss_kb);
	cr_assert_eq(procstatus_read(0x7ffffff0, &ps), -ENOENT);
}

/* A root added from /proc in a PID namespace: its pid inside is NSpid's
 * last number (was reported as "pid 0 inside"). */
Test(procstatus, ns_pid_is_the_innermost)
{
	static const char NS[] = "Name:\tpython3\nNSpid:\t4242\t17\t1\nVmHWM:\t 10 kB\n";
	static const char HOST[] = "Name:\tpython3\nNSpid:\t4242\nVmHWM:\t 10 kB\n";
	static const char BAD[] = "Name:\tx\nNSpid:\t4242\t99999999999\nVmHWM:\t 10 kB\n";
	struct procstatus ps;

	cr_assert_eq(procstatus_parse(NS, strlen(NS), &ps), 0);
	cr_assert_eq(ps.ns_pid, 1);
	cr_assert_eq(procstatus_parse(HOST, strlen(HOST), &ps), 0);
	cr_assert_eq(ps.ns_pid, 4242);
	cr_assert_eq(procstatus_parse(BAD, strlen(BAD), &ps), 0);
	cr_assert_eq(ps.ns_pid, 0);
	cr_assert_eq(procstatus_parse(STATUS, strlen(STATUS), &ps), 0);
	cr_assert_eq(ps.ns_pid, 0);
	cr_assert_eq(procstatus_read(getpid(), &ps), 0);
	cr_assert_eq(ps.ns_pid, getpid()); /* the tests run in the host's namespace */
}
