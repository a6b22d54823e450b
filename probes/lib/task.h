/* SPDX-License-Identifier: GPL-2.0 */
/* Task context: who is calling, and the files behind its fds. CO-RE reads only. */
#ifndef HARRIER_LIB_TASK_H
#define HARRIER_LIB_TASK_H

#include "maps.h"

/*
 * Untyped kernel pointers (a struct file read from the fd table, file->private_data, a struct mount
 * from container_of, raw tracepoint arguments) are reached in one of two ways:
 * - default object (Linux 6.2+): KCAST reinterprets the address as a BTF-typed pointer with the
 *   bpf_rdonly_cast kfunc, and KREAD is then a plain inline load (the hot path reads a dozen
 *   fields per event);
 * - HARRIER_COMPAT object (harrier-compat.bpf.o, for 6.1 where the kfunc does not exist): KCAST is
 *   a plain C cast and KREAD a CO-RE bpf_probe_read_kernel chain.
 * KREAD(p, a, b.c) means p->a->b.c in both builds. Pointers that are BTF-typed on every kernel
 * (bpf_get_current_task_btf and what hangs off it) are dereferenced directly in both.
 */
#ifdef HARRIER_COMPAT
#define KCAST(ptr, type)  ((type *)(void *)(ptr))
#define KREAD(src, ...)	  BPF_CORE_READ(src, __VA_ARGS__)
#else
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define KCAST(ptr, type)  ((type *)bpf_rdonly_cast((void *)(ptr), bpf_core_type_id_kernel(type)))
#define KREAD(src, ...)	  ((src)->___arrow(__VA_ARGS__))
#endif

/* The syscall's saved user registers at raw_tp/sys_exit: args[0] on the fast path; in compat the
 * same pt_regs through bpf_task_pt_regs (5.15+), which is BTF-typed without a cast. */
#ifdef HARRIER_COMPAT
#define SYS_REGS(ctx) ((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()))
#else
#define SYS_REGS(ctx) KCAST((ctx)->args[0], struct pt_regs)
#endif

#define S_IFMT_	  00170000
#define S_IFSOCK_ 0140000
#define AT_FDCWD_ -100

/* Fills the caller's context into t; task is the BTF-typed current task. Inline loads only (no helper
 * calls): uid/gid as bpf_get_current_uid_gid reports them, cgroup id as bpf_get_current_cgroup_id. */
static __always_inline void task__fill(struct evt_task *t, struct task_struct *task)
{
	const struct cred *cred = task->cred;

	t->ppid = task->real_parent->tgid;
	t->uid = cred->uid.val;
	t->gid = cred->gid.val;
	if (bpf_core_field_exists(task->loginuid))
		t->loginuid = task->loginuid.val;
	else
		t->loginuid = (__u32)-1;
	t->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	t->start_ns = task->group_leader->start_boottime;
	__builtin_memcpy(t->comm, task->comm, sizeof(t->comm));
}

/*
 * The task's effective, permitted and inheritable capability sets as 64-bit masks (bit n = capability n) into
 * caps[0..2]. kernel_cap_t is { u64 val } since 6.3 and { u32 cap[2] } before: both are 8 little-endian bytes,
 * so an 8-byte read at the CO-RE-relocated field offset is right on either.
 */
static __always_inline void task__caps(struct task_struct *task, __u64 *caps)
{
	const struct cred *cred = task->cred;

	if (bpf_core_read(&caps[0], sizeof(__u64), &cred->cap_effective) < 0 ||
	    bpf_core_read(&caps[1], sizeof(__u64), &cred->cap_permitted) < 0 ||
	    bpf_core_read(&caps[2], sizeof(__u64), &cred->cap_inheritable) < 0)
		stats__error(ERR_READ_KERNEL);
}

#define OVERLAYFS_SUPER_MAGIC_ 0x794c7630

/*
 * Where an executable on overlayfs lives (Falco's proc.is_exe_upper_layer / is_exe_lower_layer): EVT_F_EXE_UPPER
 * when its overlay inode has an upper dentry (written or copied up in the writable layer, e.g. a container's),
 * EVT_F_EXE_LOWER when it is only in a lower (image) layer, 0 when it is not on overlayfs. ovl_inode comes from the
 * kernel's BTF or the overlay module's; without either (module not loaded) the check is compiled out by CO-RE.
 */
static __always_inline __u16 file__overlay_layer(struct file *f)
{
	struct inode *inode;
	struct ovl_inode *oi;
	struct dentry *upper = NULL;

	if (!f || !bpf_core_type_exists(struct ovl_inode))
		return 0;
	if (BPF_CORE_READ(f, f_inode, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC_)
		return 0;
	inode = BPF_CORE_READ(f, f_inode);
	oi = (struct ovl_inode *)((char *)inode - bpf_core_field_offset(struct ovl_inode, vfs_inode));
	if (bpf_core_read(&upper, sizeof(upper), &oi->__upperdentry) < 0) {
		stats__error(ERR_READ_KERNEL);
		return 0;
	}
	return upper ? EVT_F_EXE_UPPER : EVT_F_EXE_LOWER;
}

/* The struct file behind fd in task's table (BTF-typed), or NULL. */
static __always_inline struct file *task__fd_file(struct task_struct *task, long fd)
{
	struct files_struct *files;
	struct fdtable *fdt;
	struct file **fda;
	struct file *f = NULL;

	if (fd < 0)
		return NULL;
	files = task->files;
	if (!files)
		return NULL;
	fdt = files->fdt;
	if (!fdt || (__u64)fd >= (__u64)fdt->max_fds)
		return NULL;
	fda = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fda[fd]) < 0 || !f)
		return NULL;
	return KCAST(f, struct file);
}

static __always_inline bool file__is_socket(struct file *f)
{
	return (KREAD(f, f_inode, i_mode) & S_IFMT_) == S_IFSOCK_;
}

#endif /* HARRIER_LIB_TASK_H */
