"""A filesystem whose reads of chosen files never answer: what a local user
can serve with FUSE (or a hung network mount does) to stall whoever reads
them. Written on the kernel's FUSE protocol (/dev/fuse, linux/fuse.h)
directly, as the test machines have the kernel module but no libfuse.

One flat directory of regular files: READ of a file named in `stall` is
never answered (the reader waits until the unmount: once the server has
taken a request, the kernel waits for its answer uninterruptibly), nor a
LOOKUP of a name in `stall_lookup`; every other request is answered at
once. The mount is owned by uid/gid and, without
allow_other, only processes with those credentials may use it (not even
root), as a user's own mount would be; with allow_other (an administrator
allowing it in /etc/fuse.conf) root's lookups reach the server too.

usage: with StallFS(mountpoint, {"a.py": b"...", "a.ml": b"..."}, uid, gid,
                    stall={"a.ml"}) as fs: ...; fs.stalled counts the requests
left unanswered."""
import ctypes
import errno
import os
import struct
import threading

# Opcodes (linux/fuse.h)
LOOKUP, FORGET, GETATTR, OPEN, READ, STATFS, RELEASE = 1, 2, 3, 14, 15, 17, 18
GETXATTR, LISTXATTR, FLUSH, INIT, OPENDIR, READDIR, RELEASEDIR = 22, 23, 25, 26, 27, 28, 29
ACCESS, INTERRUPT, DESTROY, BATCH_FORGET = 34, 36, 38, 42
NO_REPLY = (FORGET, BATCH_FORGET, INTERRUPT)
PARALLEL_DIROPS = 1 << 18  # INIT flag

IN_HDR = struct.Struct("<IIQQIIII")   # len opcode unique nodeid uid gid pid padding
OUT_HDR = struct.Struct("<IiQ")       # len error unique
ATTR = struct.Struct("<QQQQQQIIIIIIIIII")  # ino size blocks a/m/ctime a/m/ctimensec mode
#                                           nlink uid gid rdev blksize flags
ROOT = 1
MNT_DETACH = 2


FUSECTL = "/sys/fs/fuse/connections"


def connection_of(mountpoint):
    """The FUSE connection's id (the kernel's device number, as fusectl
    names it) from mountinfo, which asks the server nothing; None if the
    mount is not found."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == mountpoint:
                major, minor = fields[2].split(":")
                return int(major) << 20 | int(minor)  # the kernel's dev_t
    return None


def abort_connection(conn):
    """Ends every request of the connection (fusectl's abort file)."""
    if not os.path.exists(os.path.join(FUSECTL, str(conn))):
        os.system("mount -t fusectl none %s 2>/dev/null" % FUSECTL)
    with open(os.path.join(FUSECTL, str(conn), "abort"), "w") as f:
        f.write("1")


class StallFS:
    def __init__(self, mountpoint, files, uid, gid, stall=(), stall_lookup=(), allow_other=False):
        self.mountpoint = mountpoint
        self.stall_lookup = set(stall_lookup)
        self.allow_other = allow_other
        self.files = dict(files)
        self.names = sorted(self.files)
        self.stall = set(stall)
        self.uid, self.gid = uid, gid
        self.stalled = 0
        self.fd = -1
        self.thread = None

    def __enter__(self):
        self.fd = os.open("/dev/fuse", os.O_RDWR | os.O_CLOEXEC)
        libc = ctypes.CDLL(None, use_errno=True)
        opts = "fd=%d,rootmode=40000,user_id=%d,group_id=%d" % (self.fd, self.uid, self.gid)
        if self.allow_other:
            opts += ",allow_other"  # what /etc/fuse.conf's user_allow_other permits
        if libc.mount(b"mlprof-stallfs", self.mountpoint.encode(), b"fuse", 0x6,  # nosuid nodev
                      opts.encode()):
            e = ctypes.get_errno()
            os.close(self.fd)
            raise OSError(e, "mount fuse: " + os.strerror(e))
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        # Abort the connection: stalled readers get ENOTCONN and the server
        # thread's read ENODEV, so it returns. Only then is the descriptor
        # closed: closed under a thread still reading it, its number went to
        # the next file the test process opened (a subprocess's pipe), and
        # the thread swallowed that child's output as FUSE requests (later
        # tests saw bpftool or mlprofctl print nothing with status 0).
        conn = connection_of(self.mountpoint)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.umount2(self.mountpoint.encode(), MNT_DETACH)
        if conn is not None:
            abort_connection(conn)
        self.thread.join(timeout=30)
        if self.thread.is_alive():
            # Leak the descriptor rather than hand its number to a
            # thread that would read whatever is opened next.
            raise AssertionError("FUSE server thread still running after the abort")
        os.close(self.fd)

    def attr(self, node):
        if node == ROOT:
            return ATTR.pack(ROOT, 0, 0, 0, 0, 0, 0, 0, 0, 0o40755, 2, self.uid, self.gid, 0, 4096,
                             0)
        data = self.files[self.names[node - 2]]
        return ATTR.pack(node, len(data), (len(data) + 511) // 512, 0, 0, 0, 0, 0, 0, 0o100644, 1,
                         self.uid, self.gid, 0, 4096, 0)

    def node_of(self, name):
        return self.names.index(name) + 2 if name in self.files else None

    def answer(self, op, node, body):
        """(error, payload) for one request, or None to leave it unanswered."""
        if op == INIT:
            major, minor, readahead, flags = struct.unpack_from("<IIII", body)
            # PARALLEL_DIROPS: a stalled lookup must not hold the directory
            # for the other names (the user's own runs import from it).
            return 0, struct.pack("<IIIIHHIIHHII", 7, min(minor, 31), readahead,
                                  PARALLEL_DIROPS, 16, 12, 4096, 1, 32, 0, 0, 0) + bytes(24)
        if op == LOOKUP:
            name = body.split(b"\0", 1)[0].decode(errors="replace")
            if name in self.stall_lookup:
                self.stalled += 1
                return None
            n = self.node_of(name) if node == ROOT else None
            if n is None:
                return -errno.ENOENT, b""
            return 0, struct.pack("<QQQQII", n, 1, 60, 60, 0, 0) + self.attr(n)
        if op == GETATTR:
            return 0, struct.pack("<QII", 60, 0, 0) + self.attr(node)
        if op in (OPEN, OPENDIR):
            return 0, struct.pack("<QII", node, 0, 0)
        if op == READ:
            fh, off, size = struct.unpack_from("<QQI", body)
            name = self.names[node - 2]
            if name in self.stall:
                self.stalled += 1
                return None
            return 0, self.files[name][off:off + size]
        if op == READDIR:  # Python's import system lists the directory
            fh, off, size = struct.unpack_from("<QQI", body)
            ents = [(ROOT, ".", 4), (ROOT, "..", 4)] + [
                (i + 2, n, 8) for i, n in enumerate(self.names)]
            out = b""
            for k in range(off, len(ents)):
                ino, name, typ = ents[k]
                raw = name.encode()
                ent = struct.pack("<QQII", ino, k + 1, len(raw), typ) + raw
                ent += bytes(-len(ent) % 8)
                if len(out) + len(ent) > size:
                    break
                out += ent
            return 0, out
        if op in (RELEASE, RELEASEDIR, FLUSH, ACCESS):
            return 0, b""
        return -errno.ENOSYS, b""  # xattrs, readdir, statfs...: not needed

    def serve(self):
        while True:
            try:
                req = os.read(self.fd, 1 << 20)
            except OSError as e:
                if e.errno in (errno.EINTR, errno.ENOENT, errno.EAGAIN):
                    continue  # ENOENT: an interrupted request
                return  # ENODEV: unmounted; EBADF: closed
            if len(req) < IN_HDR.size:
                return
            _, op, unique, node = IN_HDR.unpack_from(req)[:4]
            if op in NO_REPLY:
                continue
            got = self.answer(op, node, req[IN_HDR.size:])
            if op == DESTROY:
                return
            if got is None:
                continue
            err, payload = got
            try:
                os.write(self.fd, OUT_HDR.pack(OUT_HDR.size + len(payload), err, unique) +
                         payload)
            except OSError:
                pass  # the request was interrupted meanwhile
