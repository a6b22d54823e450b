// SPDX-License-Identifier: GPL-2.0
/*
 * Harrier cgroup network deny: cgroup/connect4, connect6, sendmsg4, sendmsg6 (unconnected UDP), bind4 and
 * bind6 programs attached to a cgroup v2 directory. Each looks the destination (connect, sendmsg) or local
 * address (bind) up in cg_deny4/cg_deny6
 * (include/cgroup_net_maps.h; IPv4-mapped IPv6 addresses are checked against the IPv4 table); a match
 * returns 0, which the kernel turns into EPERM for the caller, or
 * (monitor entries) allows and records a would-deny. Every match writes a struct dec_record to
 * cg_decisions; a full ring buffer never changes the verdict, it is counted in cg_stats.
 *
 * CO-RE: built once against vmlinux.h. Needs only sock_addr helpers (pid/uid/comm/cgroup id) plus
 * bpf_get_current_task for the parent pid and start time.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "cgroup_net_maps.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET_ 2
#define AF_INET6_ 10
#define EPERM_ 1

static __always_inline void cg_stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&cg_stats, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline struct cg_entry *lookup4(__u8 op, __u16 port_be, __u64 cgid, __u32 addr_be)
{
	struct cg_key4 k = {};
	struct cg_entry *e;

	k.prefixlen = CG_FIXED_BITS + 32;
	k.op = op;
	__builtin_memcpy(k.addr, &addr_be, 4);
	for (int i = 0; i < 4; i++) {
		k.cgroup_id = (i & 2) ? 0 : cgid;
		__u16 p = (i & 1) ? 0 : port_be;
		__builtin_memcpy(k.port, &p, 2);
		e = bpf_map_lookup_elem(&cg_deny4, &k);
		if (e)
			return e;
	}
	return 0;
}

static __always_inline struct cg_entry *lookup6(__u8 op, __u16 port_be, __u64 cgid, const __u32 *addr_be)
{
	struct cg_key6 k = {};
	struct cg_entry *e;

	k.prefixlen = CG_FIXED_BITS + 128;
	k.op = op;
	__builtin_memcpy(k.addr, addr_be, 16);
	for (int i = 0; i < 4; i++) {
		k.cgroup_id = (i & 2) ? 0 : cgid;
		__u16 p = (i & 1) ? 0 : port_be;
		__builtin_memcpy(k.port, &p, 2);
		e = bpf_map_lookup_elem(&cg_deny6, &k);
		if (e)
			return e;
	}
	return 0;
}

static __always_inline void emit(__u8 op, __u32 via, const struct cg_entry *e, __u64 cgid, __u16 family, __u16 port_be, const __u32 *addr, int addr_words)
{
	struct dec_record *r = bpf_ringbuf_reserve(&cg_decisions, sizeof(*r), 0);
	struct task_struct *task;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();
	bool monitor = e->flags & CG_F_MONITOR;

	if (!r) {
		cg_stat_inc(CG_STAT_LOST);
		return;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->hdr.op = EVT_CGROUP_DECISION;
	r->hdr.size = sizeof(*r);
	r->hdr.ktime = bpf_ktime_get_boot_ns();
	r->hdr.tgid = pid_tgid >> 32;
	r->hdr.tid = (__u32)pid_tgid;
	task = (struct task_struct *)bpf_get_current_task();
	r->task.ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->task.uid = (__u32)ug;
	r->task.gid = ug >> 32;
	r->task.loginuid = BPF_CORE_READ(task, loginuid.val);
	r->task.cgroup_id = cgid;
	r->task.start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	bpf_get_current_comm(r->task.comm, sizeof(r->task.comm));
	r->rule_id = e->rule_id;
	r->hook = op == CG_OP_CONNECT ? DEC_HOOK_SOCKET_CONNECT : DEC_HOOK_SOCKET_BIND;
	r->action = monitor ? DEC_ACT_WOULD_DENY : DEC_ACT_DENIED;
	r->match = DEC_MATCH_NET;
	r->ret = monitor ? 0 : -EPERM_;
	r->aux = via;
	r->addr.family = family;
	r->addr.port = bpf_ntohs(port_be);
	if (addr_words == 1) {
		__builtin_memcpy(r->addr.addr, addr, 4);
	} else {
		__builtin_memcpy(r->addr.addr, addr, 16);
	}
	r->abi_version = DEC_ABI_VERSION;
	bpf_ringbuf_submit(r, 0);
}

/* 1 = allow, 0 = deny (the kernel returns EPERM to the caller). */
static __always_inline int decide(struct cg_entry *e, __u8 op, __u32 via, __u64 cgid, __u16 family, __u16 port_be, const __u32 *addr, int words)
{
	if (!e)
		return 1;
	emit(op, via, e, cgid, family, port_be, addr, words);
	if (e->flags & CG_F_MONITOR) {
		cg_stat_inc(CG_STAT_WOULD_DENY);
		return 1;
	}
	cg_stat_inc(CG_STAT_DENIED);
	return 0;
}

static __always_inline int check4(struct bpf_sock_addr *ctx, __u8 op, __u32 via)
{
	__u32 addr = ctx->user_ip4;
	__u16 port = (__u16)ctx->user_port;
	__u64 cgid = bpf_get_current_cgroup_id();

	cg_stat_inc(CG_STAT_CHECKED);
	return decide(lookup4(op, port, cgid, addr), op, via, cgid, AF_INET_, port, &addr, 1);
}

static __always_inline int check6(struct bpf_sock_addr *ctx, __u8 op, __u32 via)
{
	__u32 addr[4];
	__u16 port = (__u16)ctx->user_port;
	__u64 cgid = bpf_get_current_cgroup_id();
	struct cg_entry *e;

	addr[0] = ctx->user_ip6[0];
	addr[1] = ctx->user_ip6[1];
	addr[2] = ctx->user_ip6[2];
	addr[3] = ctx->user_ip6[3];
	cg_stat_inc(CG_STAT_CHECKED);
	/*
	 * An IPv4-mapped destination (::ffff:a.b.c.d) on a dual-stack socket is connected through the IPv4
	 * stack without running the connect4/sendmsg4/bind4 programs: apply the IPv4 table to it here.
	 */
	if (addr[0] == 0 && addr[1] == 0 && addr[2] == bpf_htonl(0xffff)) {
		e = lookup4(op, port, cgid, addr[3]);
		if (e)
			return decide(e, op, via, cgid, AF_INET_, port, &addr[3], 1);
	}
	return decide(lookup6(op, port, cgid, addr), op, via, cgid, AF_INET6_, port, addr, 4);
}

/* dec_record.aux: which program decided (the C# decoder names the hook from it). */
#define CG_VIA_CONNECT 0
#define CG_VIA_SENDMSG 1
#define CG_VIA_BIND 2

SEC("cgroup/connect4")
int harrier_cg_connect4(struct bpf_sock_addr *ctx)
{
	return check4(ctx, CG_OP_CONNECT, CG_VIA_CONNECT);
}

SEC("cgroup/connect6")
int harrier_cg_connect6(struct bpf_sock_addr *ctx)
{
	return check6(ctx, CG_OP_CONNECT, CG_VIA_CONNECT);
}

/* Unconnected UDP (sendto/sendmsg with a destination) is checked against the connect entries. */
SEC("cgroup/sendmsg4")
int harrier_cg_sendmsg4(struct bpf_sock_addr *ctx)
{
	return check4(ctx, CG_OP_CONNECT, CG_VIA_SENDMSG);
}

SEC("cgroup/sendmsg6")
int harrier_cg_sendmsg6(struct bpf_sock_addr *ctx)
{
	return check6(ctx, CG_OP_CONNECT, CG_VIA_SENDMSG);
}

SEC("cgroup/bind4")
int harrier_cg_bind4(struct bpf_sock_addr *ctx)
{
	return check4(ctx, CG_OP_BIND, CG_VIA_BIND);
}

SEC("cgroup/bind6")
int harrier_cg_bind6(struct bpf_sock_addr *ctx)
{
	return check6(ctx, CG_OP_BIND, CG_VIA_BIND);
}
