/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every map and every load-time constant of the Harrier probes, in one place.
 * User space (engine/Harrier.Engine/Loading) sizes `events`, fills `interesting` and writes
 * `.rodata.config` before load; it reads `lost` and `errors` for statistics.
 */
#ifndef HARRIER_LIB_MAPS_H
#define HARRIER_LIB_MAPS_H

#include "../include/abi/events.h"
#include "syscalls.h"

/* Helper failure classes counted in `errors`. */
enum err_kind {
	ERR_TAIL_CALL = 0,   /* interesting syscall without a handler program */
	ERR_READ_USER = 1,   /* bpf_probe_read_user* failed (bad pointer from the caller) */
	ERR_READ_KERNEL = 2, /* bpf_probe_read_kernel* failed */
	ERR_PATH_DEPTH = 3,  /* dentry walk stopped at its depth limit */
	ERR_SCRATCH = 4,     /* per-CPU scratch lookup failed */
	ERR_VAR_FULL = 5,    /* record's string area full, slot dropped */
	ERR_FD = 6,	     /* fd did not resolve to a file */
	ERR_COMPAT = 7,	     /* 32-bit (ia32) syscall skipped: its numbers and arguments differ */
	ERR_SCRATCH_RACE =
	    8, /* scratch buffer reused by another task before submit: record dropped */
	ERR_SHED = 9, /* ring past the shed mark: a low-value record dropped (also counted in lost) */
	ERR_MAX = 16,
};

/* Load-time configuration (C# mirror: Abi/ProbeConfig). */
struct harrier_config {
	__u32 self_tgid;     /* never emit events of this thread group (Harrier itself) */
	__u32 max_args;	     /* exec: argv entries to capture */
	__u32 max_arg_bytes; /* exec: argv bytes to capture, <= EVT_PATH_MAX */
	__u32 pad;
	__u64 wakeup_bytes; /* wake the consumer only when this much data is waiting */
	__u64 shed_bytes;   /* past this much waiting data only process events (exec/fork/exit) are sent */
};

const volatile __u32 harrier_abi_version SEC(".rodata.abi") = HARRIER_ABI_VERSION;
/* Keeps enum evt_op in the object's BTF, where the ABI test reads the op codes. */
const volatile enum evt_op harrier_op_max SEC(".rodata.abi") = EVT_OP_MAX;
const volatile struct harrier_config harrier_config SEC(".rodata.config") = {
    .self_tgid = 0,
    .max_args = 32,
    .max_arg_bytes = 4096,
    .wakeup_bytes = 0,
    .shed_bytes = 0,
};

/* Events to user space; max_entries set by the loader before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

/* Syscall nr -> op code (enum evt_op); 0 = not interesting. Written by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_SYSCALLS);
	__type(key, __u32);
	__type(value, __u32);
} interesting SEC(".maps");

/* Ring-buffer output failures per op (kernel-side loss). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EVT_OP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Helper failures per enum err_kind. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ERR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} errors SEC(".maps");

/* Record under construction: fixed part then the string area. */
#define EVT_VAR_LIMIT 16384 /* a slot may start below this offset... */
#define EVT_VAR_MASK  (EVT_VAR_LIMIT - 1)
#define EVT_VAR_SIZE  (EVT_VAR_LIMIT + EVT_PATH_MAX) /* ...and be EVT_PATH_MAX long */

struct scratch {
	struct evt_record rec;
	__u8 var[EVT_VAR_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* Dentry walks build the path backwards in here. */
#define PATH_BUF_SIZE 8192
#define PATH_BUF_MASK (EVT_PATH_MAX - 1)

struct path_buf {
	char buf[PATH_BUF_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_buf);
} path_map SEC(".maps");

static __always_inline void stats__error(__u32 kind)
{
	__u64 *v = bpf_map_lookup_elem(&errors, &kind);
	if (v)
		*v += 1;
}

static __always_inline void stats__lost(__u32 op)
{
	__u32 key = op < EVT_OP_MAX ? op : 0;
	__u64 *v = bpf_map_lookup_elem(&lost, &key);
	if (v)
		*v += 1;
}

#endif /* HARRIER_LIB_MAPS_H */
