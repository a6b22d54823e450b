// SPDX-License-Identifier: GPL-2.0
/*
 * Harrier observation probes: one raw_tp/sys_exit dispatcher (filter by the interesting-syscall
 * map and Harrier's own tgid, then tail-call a handler per syscall family), and the scheduler
 * tracepoints for successful exec and process exit. Events are captured at syscall exit so the
 * return value is known; arguments come from the pt_regs saved at entry.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "../lib/maps.h"
#include "../lib/task.h"
#include "../lib/record.h"
#include "../lib/path.h"
#include "../lib/sock.h"
#include "../lib/handlers.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, NR_SYSCALLS);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} sys_exit_tails SEC(".maps") = {
    .values =
	{
	    [NR_open] = (void *)&harrier_exit_open,
	    [NR_openat] = (void *)&harrier_exit_open,
	    [NR_openat2] = (void *)&harrier_exit_open,
	    [NR_creat] = (void *)&harrier_exit_open,
	    [NR_unlink] = (void *)&harrier_exit_path,
	    [NR_unlinkat] = (void *)&harrier_exit_path,
	    [NR_mkdir] = (void *)&harrier_exit_path,
	    [NR_mkdirat] = (void *)&harrier_exit_path,
	    [NR_rmdir] = (void *)&harrier_exit_path,
	    [NR_chmod] = (void *)&harrier_exit_path,
	    [NR_fchmodat] = (void *)&harrier_exit_path,
	    [NR_fchmodat2] = (void *)&harrier_exit_path,
	    [NR_chown] = (void *)&harrier_exit_path,
	    [NR_lchown] = (void *)&harrier_exit_path,
	    [NR_fchownat] = (void *)&harrier_exit_path,
	    [NR_truncate] = (void *)&harrier_exit_path,
	    [NR_fchmod] = (void *)&harrier_exit_fd,
	    [NR_fchown] = (void *)&harrier_exit_fd,
	    [NR_ftruncate] = (void *)&harrier_exit_fd,
	    [NR_close] = (void *)&harrier_exit_close,
	    [NR_rename] = (void *)&harrier_exit_path2,
	    [NR_renameat] = (void *)&harrier_exit_path2,
	    [NR_renameat2] = (void *)&harrier_exit_path2,
	    [NR_link] = (void *)&harrier_exit_path2,
	    [NR_linkat] = (void *)&harrier_exit_path2,
	    [NR_symlink] = (void *)&harrier_exit_path2,
	    [NR_symlinkat] = (void *)&harrier_exit_path2,
	    [NR_execve] = (void *)&harrier_exit_exec,
	    [NR_execveat] = (void *)&harrier_exit_exec,
	    [NR_fork] = (void *)&harrier_exit_fork,
	    [NR_vfork] = (void *)&harrier_exit_fork,
	    [NR_clone] = (void *)&harrier_exit_fork,
	    [NR_clone3] = (void *)&harrier_exit_fork,
	    [NR_socket] = (void *)&harrier_exit_net,
	    [NR_connect] = (void *)&harrier_exit_net,
	    [NR_accept] = (void *)&harrier_exit_net,
	    [NR_accept4] = (void *)&harrier_exit_net,
	    [NR_bind] = (void *)&harrier_exit_net,
	    [NR_listen] = (void *)&harrier_exit_net,
	    [NR_sendto] = (void *)&harrier_exit_net,
	    [NR_sendmsg] = (void *)&harrier_exit_net,
	    [NR_setuid] = (void *)&harrier_exit_priv,
	    [NR_setgid] = (void *)&harrier_exit_priv,
	    [NR_setreuid] = (void *)&harrier_exit_priv,
	    [NR_setregid] = (void *)&harrier_exit_priv,
	    [NR_setresuid] = (void *)&harrier_exit_priv,
	    [NR_setresgid] = (void *)&harrier_exit_priv,
	    [NR_capset] = (void *)&harrier_exit_priv,
	    [NR_ptrace] = (void *)&harrier_exit_priv,
	    [NR_bpf] = (void *)&harrier_exit_priv,
	    [NR_unshare] = (void *)&harrier_exit_priv,
	    [NR_setns] = (void *)&harrier_exit_priv,
	    [NR_mount] = (void *)&harrier_exit_priv_str,
	    [NR_umount2] = (void *)&harrier_exit_priv_str,
	    [NR_init_module] = (void *)&harrier_exit_priv_str,
	    [NR_finit_module] = (void *)&harrier_exit_priv_str,
	    [NR_delete_module] = (void *)&harrier_exit_priv_str,
	    [NR_memfd_create] = (void *)&harrier_exit_priv_str,
	    [NR_dup] = (void *)&harrier_exit_dup,
	    [NR_dup2] = (void *)&harrier_exit_dup,
	    [NR_dup3] = (void *)&harrier_exit_dup,
	},
};

/* Every syscall exit: cheap filter, then the family's handler. */
SEC("raw_tp/sys_exit")
int harrier_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = SYS_REGS(ctx);
	__u32 nr = (__u32)regs->orig_ax;
	__u32 *op;

	if (nr >= NR_SYSCALLS)
		return 0;
	op = bpf_map_lookup_elem(&interesting, &nr);
	if (!op || !*op)
		return 0;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == harrier_config.self_tgid)
		return 0;
	bpf_tail_call(ctx, &sys_exit_tails, nr);
	stats__error(ERR_TAIL_CALL);
	return 0;
}

/* Successful execve/execveat: the new image is in place; argv is read from the new mm. */
SEC("raw_tp/sched_process_exec")
int harrier_sched_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct linux_binprm *bprm = KCAST(ctx->args[2], struct linux_binprm);
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u32 nr = (__u32)BPF_CORE_READ(regs, orig_ax);
	struct rec_ctx c;
	struct mm_struct *mm;
	unsigned long start, end;
	__u64 len;
	long n;

	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == harrier_config.self_tgid)
		return 0;
	/* orig_ax may already read as execve here; an fd-relative execveat leaves bprm->fdpath set
	 */
	if (bpf_core_field_exists(bprm->fdpath) && BPF_CORE_READ(bprm, fdpath))
		nr = NR_execveat;
	if (!rec__begin(&c, nr == NR_execveat ? EVT_EXECVEAT : EVT_EXECVE, task, 0))
		return 0;
	n = rec__kernel_str(&c, 0, BPF_CORE_READ(bprm, filename));
	path__put_file(&c, 1, KREAD(bprm, file));
	c.s->rec.hdr.flags |= file__overlay_layer(KREAD(bprm, file));
	mm = BPF_CORE_READ(task, mm);
	start = BPF_CORE_READ(mm, arg_start);
	end = BPF_CORE_READ(mm, arg_end);
	len = end > start ? end - start : 0;
	c.s->rec.aux[0] = len;
	task__caps(task, &c.s->rec.aux[2]);
	if (len > harrier_config.max_arg_bytes) {
		len = harrier_config.max_arg_bytes;
		c.s->rec.hdr.flags |= EVT_F_ARGV_TRUNCATED;
	}
	if (len > EVT_PATH_MAX)
		len = EVT_PATH_MAX;
	if (len > 0 && rec__has_room(&c, 2)) {
		if (bpf_probe_read_user(&c.s->var[c.off & EVT_VAR_MASK],
					len & (2 * EVT_PATH_MAX - 1), (void *)start) == 0) {
			c.s->rec.str_off[2] = c.off;
			c.s->rec.str_len[2] = len;
			c.off += len;
		} else {
			stats__error(ERR_READ_USER);
		}
	}
	if (n > 1 && c.s->var[0] != '/')
		path__put_base(&c, 3, task, AT_FDCWD_); /* slot 0 was written first, at offset 0 */
	rec__submit(&c);
	return 0;
}

/* Thread-group exit: exit code or terminating signal. */
SEC("raw_tp/sched_process_exit")
int harrier_sched_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct rec_ctx c;

	/*
	 * Only the thread group's end is an event. The tracepoint's group_dead argument exists only on newer kernels
	 * (reading args[1] makes the attach fail with EINVAL on 6.1/6.12), but do_exit() has already decremented
	 * signal->live before this tracepoint on every kernel: zero means this was the last thread.
	 */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == harrier_config.self_tgid)
		return 0;
	if (!rec__begin(&c, EVT_PROC_EXIT, task, 0))
		return 0;
	c.s->rec.aux[0] = (__u32)BPF_CORE_READ(task, exit_code);
	c.s->rec.aux[1] = 1;
	rec__submit(&c);
	return 0;
}
