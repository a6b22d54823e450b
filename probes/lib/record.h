/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building one struct evt_record in the per-CPU scratch buffer and sending it.
 * Slots are appended in any order; `off` is the running size of the string area.
 */
#ifndef HARRIER_LIB_RECORD_H
#define HARRIER_LIB_RECORD_H

#include "maps.h"
#include "task.h"

struct rec_ctx {
	struct scratch *s;
	__u32 off;
};

/* Starts a record for op in the scratch buffer. False when the scratch map is unavailable. */
static __always_inline bool rec__begin(struct rec_ctx *c, __u16 op, struct task_struct *task,
				       long ret)
{
	__u32 zero = 0;
	struct evt_record *r;

	c->s = bpf_map_lookup_elem(&scratch_map, &zero);
	c->off = 0;
	if (!c->s) {
		stats__error(ERR_SCRATCH);
		return false;
	}
	r = &c->s->rec;
	__builtin_memset(r, 0, sizeof(*r));
	r->hdr.op = op;
	r->hdr.ktime = bpf_ktime_get_boot_ns();
	r->hdr.tgid = task->tgid;
	r->hdr.tid = task->pid;
	r->abi_version = HARRIER_ABI_VERSION;
	r->ret = ret;
	task__fill(&r->task, task);
	return true;
}

static __always_inline bool rec__has_room(struct rec_ctx *c, int slot)
{
	if (c->off >= EVT_VAR_LIMIT) {
		c->s->rec.str_trunc |= 1 << slot;
		c->s->rec.hdr.flags |= EVT_F_TRUNCATED;
		stats__error(ERR_VAR_FULL);
		return false;
	}
	return true;
}

static __always_inline void rec__commit(struct rec_ctx *c, int slot, long n, long max)
{
	if (n <= 0)
		return;
	if (n >= max) {
		c->s->rec.str_trunc |= 1 << slot;
		c->s->rec.hdr.flags |= EVT_F_TRUNCATED;
	}
	c->s->rec.str_off[slot] = c->off;
	c->s->rec.str_len[slot] = n;
	c->off += n;
}

/* Appends a NUL-terminated user string (up to EVT_PATH_MAX bytes) as slot. Returns its length. */
static __always_inline long rec__user_str(struct rec_ctx *c, int slot, const void *uptr)
{
	long n;

	if (!uptr || !rec__has_room(c, slot))
		return 0;
	n = bpf_probe_read_user_str(&c->s->var[c->off & EVT_VAR_MASK], EVT_PATH_MAX, uptr);
	if (n < 0) {
		stats__error(ERR_READ_USER);
		return 0;
	}
	rec__commit(c, slot, n, EVT_PATH_MAX);
	return n;
}

/* Appends a NUL-terminated kernel string as slot. */
static __always_inline long rec__kernel_str(struct rec_ctx *c, int slot, const void *kptr)
{
	long n;

	if (!kptr || !rec__has_room(c, slot))
		return 0;
	n = bpf_probe_read_kernel_str(&c->s->var[c->off & EVT_VAR_MASK], EVT_PATH_MAX, kptr);
	if (n < 0) {
		stats__error(ERR_READ_KERNEL);
		return 0;
	}
	rec__commit(c, slot, n, EVT_PATH_MAX);
	return n;
}

/* Appends len (<= EVT_SADDR_MAX) raw user bytes as slot. */
static __always_inline void rec__user_bytes(struct rec_ctx *c, int slot, const void *uptr,
					    __u64 len)
{
	if (!uptr || len == 0 || !rec__has_room(c, slot))
		return;
	if (len > EVT_SADDR_MAX)
		len = EVT_SADDR_MAX;
	if (bpf_probe_read_user(&c->s->var[c->off & EVT_VAR_MASK], len & (2 * EVT_SADDR_MAX - 1),
				uptr) < 0) {
		stats__error(ERR_READ_USER);
		return;
	}
	c->s->rec.str_off[slot] = c->off;
	c->s->rec.str_len[slot] = len;
	c->off += len;
}

/* First byte of a slot written last (to tell relative from absolute paths). */
static __always_inline char rec__first_byte(struct rec_ctx *c, long len)
{
	if (len <= 0)
		return 0;
	return c->s->var[(c->off - len) & EVT_VAR_MASK];
}

/* Sends the record. Wake-ups are batched: the consumer is woken only once wakeup_bytes wait. */
static __always_inline void rec__submit(struct rec_ctx *c)
{
	__u64 size = sizeof(struct evt_record) + c->off;
	__u64 flags = BPF_RB_NO_WAKEUP;
	__u16 op = c->s->rec.hdr.op;
	__u64 avail;

	if (size > sizeof(struct scratch))
		size = sizeof(struct scratch);
	/* On preemptible kernels another task may have taken this CPU's scratch meanwhile. */
	if (c->s->rec.hdr.tid != (__u32)bpf_get_current_task_btf()->pid) {
		stats__error(ERR_SCRATCH_RACE);
		stats__lost(op);
		return;
	}
	c->s->rec.hdr.size = size;
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	/*
	 * Overload: once the ring is past the shed mark, keep its remaining room for process events (exec, fork,
	 * exit: ops below EVT_OPEN, the first file op), which the process table and most rules need, and drop the rest first.
	 * Shed records are counted per op in `lost` and in total under ERR_SHED.
	 */
	if (harrier_config.shed_bytes && avail >= harrier_config.shed_bytes && op >= EVT_OPEN) {
		stats__error(ERR_SHED);
		stats__lost(op);
		return;
	}
	if (avail >= harrier_config.wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, c->s, size, flags) < 0)
		stats__lost(op);
}

#endif /* HARRIER_LIB_RECORD_H */
