// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mntlocal.h"

static const char MI[] =
	"21 26 0:20 / /proc rw,relatime - proc proc rw\n"
	"26 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
	"40 26 0:50 / /home/u/fz rw,nosuid,nodev,relatime shared:9 master:2 - fuse.sshfs u@h: rw\n"
	"41 26 0:51 / /srv/nfs rw - nfs4 h:/x rw\n"
	"42 26 0:52 / /srv/my\\040dir rw - fuse x rw\n"
	"43 40 0:53 / /home/u/fz/inner rw - tmpfs tmpfs rw\n"
	"44 26 0:54 / /tmp rw - tmpfs tmpfs rw\n"
	"45 26 0:55 / /tmp rw - fuse evil rw\n";

static int local(const char *path)
{
	return mntlocal_path_is_local(MI, strlen(MI), path);
}

Test(mntlocal, longest_mount_point_decides)
{
	cr_expect_eq(local("/usr/lib/python3.11/os.py"), 1, "the root: ext4");
	cr_expect_eq(local("/home/u/fz/a.ml"), 0, "under a FUSE mount");
	cr_expect_eq(local("/home/u/fz"), 0, "the mount point itself");
	cr_expect_eq(local("/home/u/fzz/a.ml"), 1, "a sibling name is not under it");
	cr_expect_eq(local("/home/u/fz/inner/a.ml"), 1, "a tmpfs mounted inside it");
	cr_expect_eq(local("/srv/nfs/a.ml"), 0, "NFS");
	cr_expect_eq(local("/proc/self/status"), 1);
}

Test(mntlocal, escapes_and_stacked_mounts)
{
	cr_expect_eq(local("/srv/my dir/a.ml"), 0, "\\040 is a space");
	cr_expect_eq(local("/srv/my\\040dir/a.ml"), 1, "the escaped text is not the path");
	cr_expect_eq(local("/tmp/a.ml"), 0, "the last of two mounts on /tmp is on top");
}

Test(mntlocal, malformed_or_missing_means_not_local)
{
	static const char *bad[] = {
		"",
		"26 1 254:1 / / rw - \n",              /* no type */
		"26 1 254:1 / / rw ext4 /dev/vda1\n",  /* no separator */
		"26 1 254:1 /\n",                      /* cut short */
		"26 1 254:1 / /x\\9 rw - ext4 d rw\n", /* bad escape, and no root line */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(mntlocal_path_is_local(bad[i], strlen(bad[i]), "/x/a.ml"), 0, "%zu", i);
	cr_expect_eq(mntlocal_path_is_local(MI, strlen(MI), "relative/a.ml"), 0);
	/* a last line cut in its type: "fus" is no local type */
	cr_expect_eq(mntlocal_path_is_local(MI, strlen(MI) - 10, "/tmp/a.ml"), 0);
}

Test(mntlocal, our_own_view)
{
	cr_expect_eq(mntlocal_is_local(getpid(), "/proc/self/status"), 1);
	cr_expect_eq(mntlocal_is_local(99999999, "/proc/self/status"), 0, "no such process");
}

Test(mntlocal, device_lookup)
{
	cr_expect_eq(mntlocal_dev_is_local(MI, strlen(MI), 254, 1), 1, "ext4");
	cr_expect_eq(mntlocal_dev_is_local(MI, strlen(MI), 0, 50), 0, "sshfs");
	cr_expect_eq(mntlocal_dev_is_local(MI, strlen(MI), 9, 9), 0, "no such device");
}

/* A chroot'ed process sees no mount holding its own paths: its root's
 * device decides. */
Test(mntlocal, chrooted_process)
{
	char dir[] = "/tmp/mlprof-mntlocal-XXXXXX";
	int go[2], done[2];
	pid_t child;
	char c = 0;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(pipe(go), 0);
	cr_assert_eq(pipe(done), 0);
	child = fork();
	if (child == 0) {
		if (chroot(dir) || chdir("/"))
			_exit(1);
		c = 1;
		if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	cr_assert_eq(read(done[0], &c, 1), 1);
	cr_expect_eq(mntlocal_is_local(child, "/usr/lib/x.py"), 1,
		     "the chroot's directory lies on a local filesystem here");
	c = 0;
	cr_assert_eq(write(go[1], &c, 1), 1);
	waitpid(child, NULL, 0);
	rmdir(dir);
}
