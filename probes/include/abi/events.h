/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harrier kernel -> user-space event ABI. ONE header for every record the probes emit.
 *
 * Every record is a struct evt_record (fixed part, 224 bytes) followed by the string area:
 * up to EVT_MAX_STR variable-length byte strings in any order; slot i starts at str_off[i] in that
 * area and is str_len[i] bytes long (including the terminating NUL of C strings; 0 = absent).
 * hdr.size is the total record size. All integers are little-endian host order.
 *
 * The C# mirrors live in engine/Harrier.Engine/Abi/ and are checked against this object's BTF by
 * a test: change a layout here and the test fails until the mirror follows. Bump
 * HARRIER_ABI_VERSION on every incompatible change; op codes are never renumbered, only appended.
 */
#ifndef HARRIER_ABI_EVENTS_H
#define HARRIER_ABI_EVENTS_H

#define HARRIER_ABI_VERSION 1

/* Op codes: the numeric values of engine/Harrier.Events/EventType.cs. */
enum evt_op {
	EVT_NONE = 0,
	/* process 1-99 */
	EVT_EXECVE = 1,
	EVT_EXECVEAT = 2,
	EVT_FORK = 3,
	EVT_VFORK = 4,
	EVT_CLONE = 5,
	EVT_CLONE3 = 6,
	EVT_PROC_EXIT = 7,
	/* file 100-199 */
	EVT_OPEN = 100,
	EVT_OPENAT = 101,
	EVT_OPENAT2 = 102,
	EVT_CREAT = 103,
	EVT_UNLINK = 104,
	EVT_UNLINKAT = 105,
	EVT_RENAME = 106,
	EVT_RENAMEAT = 107,
	EVT_RENAMEAT2 = 108,
	EVT_MKDIR = 109,
	EVT_MKDIRAT = 110,
	EVT_RMDIR = 111,
	EVT_CHMOD = 112,
	EVT_FCHMOD = 113,
	EVT_FCHMODAT = 114,
	EVT_CHOWN = 115,
	EVT_FCHOWN = 116,
	EVT_LCHOWN = 117,
	EVT_FCHOWNAT = 118,
	EVT_LINK = 119,
	EVT_LINKAT = 120,
	EVT_SYMLINK = 121,
	EVT_SYMLINKAT = 122,
	EVT_TRUNCATE = 123,
	EVT_FTRUNCATE = 124,
	EVT_CLOSE = 125,
	/* network 200-299 */
	EVT_SOCKET = 200,
	EVT_CONNECT = 201,
	EVT_ACCEPT = 202,
	EVT_ACCEPT4 = 203,
	EVT_BIND = 204,
	EVT_LISTEN = 205,
	EVT_SENDTO = 206,
	EVT_SENDMSG = 207,
	/* privilege and kernel 300-399 */
	EVT_SETUID = 300,
	EVT_SETGID = 301,
	EVT_SETREUID = 302,
	EVT_SETREGID = 303,
	EVT_SETRESUID = 304,
	EVT_SETRESGID = 305,
	EVT_CAPSET = 306,
	EVT_PTRACE = 307,
	EVT_MOUNT = 308,
	EVT_UMOUNT2 = 309,
	EVT_INIT_MODULE = 310,
	EVT_FINIT_MODULE = 311,
	EVT_DELETE_MODULE = 312,
	EVT_BPF = 313,
	EVT_MEMFD_CREATE = 314,
	EVT_UNSHARE = 315,
	EVT_SETNS = 316,
	EVT_DUP2 = 317,
	EVT_DUP3 = 318,
	EVT_DUP = 319,
	/* decisions 400+ (emitted by lsm-hooks/ and seccomp, not by these probes) */
	EVT_LSM_DECISION = 400,
	EVT_SECCOMP_DECISION = 401,
	EVT_CGROUP_DECISION = 402,
	EVT_OP_MAX = 512, /* size of per-op counter maps */
};

/* hdr.flags */
enum evt_flags {
	EVT_F_TRUNCATED = 1 << 0,      /* some string slot was cut at its limit */
	EVT_F_ARGV_TRUNCATED = 1 << 1, /* exec: argv longer than the configured limit */
	EVT_F_COMPAT = 1 << 2,	       /* reserved: 32-bit task */
	EVT_F_PATH_PARTIAL = 1 << 3,   /* a dentry walk hit its depth limit */
	EVT_F_FD_SOCKET = 1 << 4,      /* open/dup family: the (old) fd is a socket */
	EVT_F_EXE_UPPER = 1 << 5,      /* exec: the executable is on overlayfs, in the upper (writable) layer */
	EVT_F_EXE_LOWER = 1 << 6,      /* exec: the executable is on overlayfs, only in a lower layer */
};

/* Number of variable-length slots and the limits of each. */
#define EVT_MAX_STR   6
#define EVT_PATH_MAX  4096
#define EVT_SADDR_MAX 128

/*
 * Slot assignment per class (absent slots have length 0):
 * file:    0 path as passed, 1 resolved absolute path (open family on success: the opened file;
 *          f* calls: the fd's path), 2 base directory of slot 0 when relative (cwd or dirfd path),
 *          3 second path as passed (rename/link new path, symlink link path), 4 base of slot 3,
 *          5 old path resolution base for symlink targets (unused).
 * exec:    0 filename as passed, 1 exe path (success only), 2 argv bytes (NUL separated),
 *          3 cwd (relative filename).
 * net:     0 sockaddr bytes as passed by the caller (connect/sendto/sendmsg destination, bind
 *          address), 1 unix socket path of the kernel socket when known.
 * priv:    0/1/2 strings per op: mount source/target/fstype, umount2 target, module
 *          params or path, delete_module name, memfd name, dup old fd path.
 */

struct evt_hdr {
	__u16 op;
	__u16 flags;
	__u32 size;
	__u64 ktime; /* bpf_ktime_get_boot_ns() */
	__u32 tgid;
	__u32 tid;
};

struct evt_task {
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 loginuid;
	__u64 cgroup_id;
	__u64 start_ns; /* group leader's start_boottime */
	char comm[16];
};

/* A socket endpoint read from the kernel socket; addr holds 4 (IPv4) or 16 (IPv6) bytes. */
struct evt_sockaddr {
	__u16 family;
	__u16 port; /* host order */
	__u32 pad;
	__u8 addr[16];
};

/* The kernel socket behind an fd: endpoints, family, type, protocol and inode. */
struct evt_net_info {
	struct evt_sockaddr local;
	struct evt_sockaddr remote;
	__u16 family;
	__u16 type;
	__u16 protocol;
	__u16 pad;
	__u64 ino;
};

/*
 * aux[] per op:
 * fork family: aux[0] clone flags, aux[1] child pid (as seen from the caller's namespace).
 * exit:        aux[0] task exit_code (wait status layout), aux[1] 1 when the thread group died.
 * exec:        aux[0] bytes of argv in the new image (success), aux[1] argc (failed exec: count
 * read), aux[2] effective, aux[3] permitted, aux[4] inheritable capabilities after the exec (success;
 * bit n = capability n). net family and dup family (EVT_F_FD_SOCKET set): net = the kernel socket behind the fd
 *              (accept: the new socket; dup: the old fd).
 * capset:      aux[0] target pid, aux[1] effective, aux[2] permitted, aux[3] inheritable.
 */
#define EVT_AUX 8

struct evt_record {
	struct evt_hdr hdr;   /* 0 */
	struct evt_task task; /* 24 */
	__s64 ret;	      /* 72: syscall return value, -errno on failure */
	__u64 args[6];	      /* 80: raw syscall arguments */
	union {		      /* 128 */
		__u64 aux[EVT_AUX];
		struct evt_net_info net;
	};
	__u16 str_off[EVT_MAX_STR]; /* 192: offset of slot i in the string area */
	__u16 str_len[EVT_MAX_STR]; /* 204: length of slot i, 0 = absent */
	__u16 str_trunc;	    /* 216: bit i set when slot i was cut */
	__u16 abi_version;	    /* 218: HARRIER_ABI_VERSION */
	__u32 pad;		    /* 220 */
};				    /* 224, then the string area */

#endif /* HARRIER_ABI_EVENTS_H */
