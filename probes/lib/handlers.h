/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys_exit handlers, one per syscall family, reached by tail call from harrier_sys_exit.
 * Each reads the syscall's arguments from the pt_regs saved at entry (x86_64: di, si, dx, r10,
 * r8, r9; nr in orig_ax) and the return value from the tracepoint.
 */
#ifndef HARRIER_LIB_HANDLERS_H
#define HARRIER_LIB_HANDLERS_H

#include "record.h"
#include "path.h"
#include "sock.h"

#define TS_COMPAT_ 0x0002 /* arch/x86/include/asm/thread_info.h */

struct sys_ctx {
	struct task_struct *task;
	__u32 nr;
	__u16 op;
	long ret;
	__u64 a[6];
};

/* Reads nr, op, ret and the six arguments. False when the syscall is no longer interesting. */
static __always_inline bool sys__load(struct bpf_raw_tracepoint_args *ctx, struct sys_ctx *s)
{
	struct pt_regs *r = SYS_REGS(ctx);
	struct task_struct *task;
	__u32 *op;

	s->nr = (__u32)r->orig_ax;
	if (s->nr >= NR_SYSCALLS)
		return false;
	task = bpf_get_current_task_btf();
	s->task = task;
	if (task->thread_info.status & TS_COMPAT_) {
		stats__error(ERR_COMPAT); /* ia32 numbering: not decoded */
		return false;
	}
	op = bpf_map_lookup_elem(&interesting, &s->nr);
	if (!op || !*op)
		return false;
	s->op = (__u16)*op;
	s->ret = (long)ctx->args[1];
	s->a[0] = r->di;
	s->a[1] = r->si;
	s->a[2] = r->dx;
	s->a[3] = r->r10;
	s->a[4] = r->r8;
	s->a[5] = r->r9;
	return true;
}

static __always_inline bool sys__begin(struct rec_ctx *c, struct sys_ctx *s)
{
	if (!rec__begin(c, s->op, s->task, s->ret))
		return false;
	__builtin_memcpy(c->s->rec.args, s->a, sizeof(s->a));
	return true;
}

/* open, openat, openat2, creat: slot 0 as passed, 1 the opened file, 2 base of a relative path. */
SEC("raw_tp")
int harrier_exit_open(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;
	long dirfd = AT_FDCWD_;
	const void *upath;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	if (s.nr == NR_openat || s.nr == NR_openat2) {
		dirfd = (long)(int)s.a[0];
		upath = (const void *)s.a[1];
	} else {
		upath = (const void *)s.a[0];
	}
	if (s.nr == NR_openat2) {
		struct open_how how = {};

		if (bpf_probe_read_user(&how, sizeof(how), (const void *)s.a[2]) == 0) {
			c.s->rec.aux[0] = how.flags;
			c.s->rec.aux[1] = how.mode;
		}
	}
	path__put_user(&c, 0, 2, s.task, dirfd, upath);
	if (s.ret >= 0) {
		struct file *f = task__fd_file(s.task, s.ret);

		if (f && file__is_socket(f))
			c.s->rec.hdr.flags |= EVT_F_FD_SOCKET;
		else
			path__put_file(&c, 1, f);
	}
	rec__submit(&c);
	return 0;
}

/* One-path calls: unlink(at), mkdir(at), rmdir, chmod, fchmodat, chown, lchown, fchownat, truncate.
 */
SEC("raw_tp")
int harrier_exit_path(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;
	long dirfd = AT_FDCWD_;
	const void *upath = 0;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	switch (s.nr) {
	case NR_unlinkat:
	case NR_mkdirat:
	case NR_fchmodat:
	case NR_fchmodat2:
	case NR_fchownat:
		dirfd = (long)(int)s.a[0];
		upath = (const void *)s.a[1];
		break;
	default:
		upath = (const void *)s.a[0];
		break;
	}
	path__put_user(&c, 0, 2, s.task, dirfd, upath);
	rec__submit(&c);
	return 0;
}

/* fd calls: fchmod, fchown, ftruncate; slot 1 is the fd's path. */
SEC("raw_tp")
int harrier_exit_fd(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	path__put_file(&c, 1, task__fd_file(s.task, (long)(int)s.a[0]));
	rec__submit(&c);
	return 0;
}

/*
 * close: the fd and the result only. The fd is gone from the table at exit, so the name it had comes from
 * user space (the process table's fd names, learnt from open events), as Falco's fd table gives it.
 */
SEC("raw_tp")
int harrier_exit_close(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	rec__submit(&c);
	return 0;
}

/* Two-path calls: rename(at/at2), link(at), symlink(at). Slots 0/2 old path, 3/4 new path. */
SEC("raw_tp")
int harrier_exit_path2(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;
	long olddfd = AT_FDCWD_, newdfd = AT_FDCWD_;
	const void *oldp, *newp;
	bool old_is_path = true;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	switch (s.nr) {
	case NR_renameat:
	case NR_renameat2:
	case NR_linkat:
		olddfd = (long)(int)s.a[0];
		oldp = (const void *)s.a[1];
		newdfd = (long)(int)s.a[2];
		newp = (const void *)s.a[3];
		break;
	case NR_symlinkat:
		old_is_path = false; /* the target is link content, not resolved here */
		oldp = (const void *)s.a[0];
		newdfd = (long)(int)s.a[1];
		newp = (const void *)s.a[2];
		break;
	case NR_symlink:
		old_is_path = false;
		oldp = (const void *)s.a[0];
		newp = (const void *)s.a[1];
		break;
	default:
		oldp = (const void *)s.a[0];
		newp = (const void *)s.a[1];
		break;
	}
	if (old_is_path)
		path__put_user(&c, 0, 2, s.task, olddfd, oldp);
	else
		rec__user_str(&c, 0, oldp);
	path__put_user(&c, 3, 4, s.task, newdfd, newp);
	rec__submit(&c);
	return 0;
}

/* Failed execve/execveat (successful ones come from sched_process_exec). */
#define ARGV_MAX 64

SEC("raw_tp")
int harrier_exit_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;
	const void *filename;
	const char *const *argv;
	long dirfd = AT_FDCWD_, n;
	__u32 used = 0, start, i;

	if (!sys__load(ctx, &s) || s.ret >= 0 || !sys__begin(&c, &s))
		return 0;
	if (s.nr == NR_execveat) {
		dirfd = (long)(int)s.a[0];
		filename = (const void *)s.a[1];
		argv = (const char *const *)s.a[2];
	} else {
		filename = (const void *)s.a[0];
		argv = (const char *const *)s.a[1];
	}
	n = rec__user_str(&c, 0, filename);
	if (n > 1 && rec__first_byte(&c, n) != '/')
		path__put_base(&c, 3, s.task, dirfd);
	start = c.off;
	for (i = 0; i < ARGV_MAX && argv; i++) {
		const char *arg = 0;
		long m;

		if (i >= harrier_config.max_args || used >= harrier_config.max_arg_bytes) {
			c.s->rec.hdr.flags |= EVT_F_ARGV_TRUNCATED;
			break;
		}
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) < 0 || !arg)
			break;
		if (c.off >= EVT_VAR_LIMIT) {
			c.s->rec.hdr.flags |= EVT_F_ARGV_TRUNCATED;
			break;
		}
		m = bpf_probe_read_user_str(&c.s->var[c.off & EVT_VAR_MASK], 1024, arg);
		if (m <= 0)
			break;
		c.off += m;
		used += m;
		c.s->rec.aux[1] = i + 1;
	}
	c.s->rec.str_off[2] = start;
	c.s->rec.str_len[2] = c.off - start;
	rec__submit(&c);
	return 0;
}

/* fork, vfork, clone, clone3: in the parent ret is the child pid, in the child 0. */
SEC("raw_tp")
int harrier_exit_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;
	__u64 flags = 0;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	switch (s.nr) {
	case NR_clone:
		flags = s.a[0];
		break;
	case NR_clone3:
		bpf_probe_read_user(&flags, sizeof(flags), (const void *)s.a[0]);
		break;
	case NR_vfork:
		flags = 0x00004000 | 0x00000100 | 17; /* CLONE_VFORK | CLONE_VM | SIGCHLD */
		break;
	default:
		flags = 17; /* SIGCHLD */
		break;
	}
	c.s->rec.aux[0] = flags;
	c.s->rec.aux[1] = s.ret > 0 ? s.ret : 0;
	rec__submit(&c);
	return 0;
}

/* socket, connect, accept(4), bind, listen, sendto, sendmsg. */
SEC("raw_tp")
int harrier_exit_net(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;
	long fd;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	fd = (long)(int)s.a[0];
	switch (s.nr) {
	case NR_socket:
		fd = s.ret;
		break;
	case NR_connect:
	case NR_bind:
		rec__user_bytes(&c, 0, (const void *)s.a[1], s.a[2]);
		break;
	case NR_accept:
	case NR_accept4:
		if (s.ret >= 0)
			fd = s.ret;
		break;
	case NR_sendto:
		rec__user_bytes(&c, 0, (const void *)s.a[4], s.a[5]);
		break;
	case NR_sendmsg: {
		struct user_msghdr m = {};

		if (bpf_probe_read_user(&m, sizeof(m), (const void *)s.a[1]) == 0)
			rec__user_bytes(&c, 0, m.msg_name, m.msg_namelen);
		break;
	}
	default:
		break;
	}
	if (fd >= 0)
		sock__fill(&c, task__fd_file(s.task, fd));
	rec__submit(&c);
	return 0;
}

struct cap_data_ {
	__u32 effective;
	__u32 permitted;
	__u32 inheritable;
};

/* set*id, capset, ptrace, bpf, unshare, setns: numbers only. */
SEC("raw_tp")
int harrier_exit_priv(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	if (s.nr == NR_capset) {
		__u32 hdr[2] = {};
		struct cap_data_ d[2] = {};

		if (bpf_probe_read_user(hdr, sizeof(hdr), (const void *)s.a[0]) == 0)
			c.s->rec.aux[0] = hdr[1];
		if (s.a[1] && bpf_probe_read_user(d, sizeof(d), (const void *)s.a[1]) == 0) {
			c.s->rec.aux[1] = d[0].effective | (__u64)d[1].effective << 32;
			c.s->rec.aux[2] = d[0].permitted | (__u64)d[1].permitted << 32;
			c.s->rec.aux[3] = d[0].inheritable | (__u64)d[1].inheritable << 32;
		}
	} else if (s.nr == NR_setns) {
		path__put_file(&c, 0, task__fd_file(s.task, (long)(int)s.a[0]));
	}
	rec__submit(&c);
	return 0;
}

/* mount, umount2, init_module, finit_module, delete_module, memfd_create: numbers and strings. */
SEC("raw_tp")
int harrier_exit_priv_str(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	switch (s.nr) {
	case NR_mount:
		rec__user_str(&c, 0, (const void *)s.a[0]);
		rec__user_str(&c, 1, (const void *)s.a[1]);
		rec__user_str(&c, 2, (const void *)s.a[2]);
		break;
	case NR_umount2:
		rec__user_str(&c, 1, (const void *)s.a[0]);
		break;
	case NR_init_module:
		rec__user_str(&c, 1, (const void *)s.a[2]);
		break;
	case NR_finit_module:
		path__put_file(&c, 0, task__fd_file(s.task, (long)(int)s.a[0]));
		rec__user_str(&c, 1, (const void *)s.a[1]);
		break;
	default: /* delete_module, memfd_create: name first */
		rec__user_str(&c, 0, (const void *)s.a[0]);
		break;
	}
	rec__submit(&c);
	return 0;
}

/* dup, dup2, dup3: what the old fd is (socket endpoints, or its path). */
SEC("raw_tp")
int harrier_exit_dup(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_ctx s;
	struct rec_ctx c;
	struct file *f;

	if (!sys__load(ctx, &s) || !sys__begin(&c, &s))
		return 0;
	f = task__fd_file(s.task, (long)(int)s.a[0]);
	if (f && !sock__fill(&c, f))
		path__put_file(&c, 0, f);
	rec__submit(&c);
	return 0;
}

#endif /* HARRIER_LIB_HANDLERS_H */
