// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny programs `harrier info` loads one at a time to learn which program types work on this
 * kernel. Each does nothing; only whether the kernel loads (and attaches) it matters.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getpid")
int feat_tracepoint(void *ctx)
{
	return 0;
}

SEC("raw_tp/sys_exit")
int feat_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(feat_tp_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(feat_fentry)
{
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(feat_lsm, struct file *file)
{
	return 0;
}

SEC("cgroup/connect4")
int feat_cgroup_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}
