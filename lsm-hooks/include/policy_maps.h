/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harrier BPF LSM policy: every map the enforcement programs read, in one place.
 *
 * User space (engine/Harrier.Engine/Enforcement/LsmEnforcer.cs) pins these maps under
 * /sys/fs/bpf/harrier/ and writes entries; the C# mirrors of the key and value layouts are in
 * Enforcement/LsmPolicyKeys.cs. Layouts are ABI: append only.
 *
 * Every entry carries a rule id, an action (deny or kill), the operations it applies to and a
 * monitor flag (allow, but emit a "would-deny" decision).
 *
 *   pol_inode   (dev, inode) -> entry   exec / open / unlink / rename of that file; with
 *                                       POL_F_SUBTREE, of everything below that directory
 *                                       (same filesystem). User space resolves paths to inodes.
 *   pol_net     LPM trie (family, port, address) -> entry   connect / bind destinations; port 0
 *                                       in the key means "any port" and is looked up second.
 *   pol_uid     uid -> entry            subject rules: the listed operations are denied to that
 *                                       uid; POL_ANY_UID matches every uid.
 *   pol_cgroup  cgroup v2 id -> entry   subject rules for a cgroup.
 *   lsm_config  [0] -> struct lsm_config   self-protection switch and the protected process.
 *   protected_ids  (kind, id) -> 1      BPF objects of Harrier: prog/map/link fd-by-id is denied
 *                                       to everyone but the protected process.
 *   decisions   ring buffer of struct dec_record (probes/include/abi/decisions.h).
 *   lsm_stats   per-CPU counters (enum lsm_stat).
 */
#ifndef HARRIER_LSM_POLICY_MAPS_H
#define HARRIER_LSM_POLICY_MAPS_H

#include "abi/decisions.h"

/* policy_entry.ops: the operations an entry applies to. */
enum pol_op {
	POL_OP_EXEC = 1 << 0,
	POL_OP_OPEN = 1 << 1,
	POL_OP_UNLINK = 1 << 2,
	POL_OP_RENAME = 1 << 3,
	POL_OP_CONNECT = 1 << 4,
	POL_OP_BIND = 1 << 5,
	POL_OP_MOUNT = 1 << 6,
	POL_OP_MODULE = 1 << 7, /* kernel module loading (kernel_read_file / kernel_load_data) */
	POL_OP_BPF = 1 << 8,
	POL_OP_PTRACE = 1 << 9,
};

/* policy_entry.action */
enum pol_action {
	POL_ACT_DENY = 1,
	POL_ACT_KILL = 2,
};

/* policy_entry.flags */
enum pol_flags {
	POL_F_MONITOR = 1 << 0, /* allow, emit would-deny / would-kill */
	POL_F_SUBTREE = 1 << 1, /* pol_inode: the entry is a directory and covers its descendants */
	POL_F_ALLOW_SELF =
	    1 << 2, /* the entry does not apply to the protected enforcer (its pin directory) */
};

#define POL_ANY_UID 0xffffffffu

struct policy_entry {
	__u32 rule_id;
	__u16 ops;   /* enum pol_op bits */
	__u8 action; /* enum pol_action */
	__u8 flags;  /* enum pol_flags */
};

struct inode_key {
	__u64 ino;
	__u32 dev; /* kernel encoding: major << 20 | minor */
	__u32 pad;
};

/* LPM key: prefixlen counts bits of data (family 8 + port 16 + address bits). */
struct net_key {
	__u32 prefixlen;
	__u8 family;  /* AF_INET 2, AF_INET6 10 */
	__u8 port[2]; /* big endian; 0 = any port */
	__u8 addr[16];
};

/* lsm_config.flags */
enum lsm_config_flags {
	LSM_CFG_SELF_PROTECT = 1 << 0,
	LSM_CFG_ENFORCE = 1 << 1, /* master switch: policy tables are consulted only when set */
	LSM_CFG_SUBTREE =
	    1 << 2, /* pol_inode may hold POL_F_SUBTREE entries: walk ancestor directories */
	LSM_CFG_SUBJECTS = 1 << 3, /* pol_uid / pol_cgroup may hold entries: look the caller up */
};

struct lsm_config {
	__u32 flags;	    /* enum lsm_config_flags */
	__u32 protect_tgid; /* the enforcing process */
	__u64 exe_ino;	    /* its executable: a restarted enforcer may reopen Harrier's objects */
	__u32 exe_dev;
	__u32 pad;
};

struct protected_id_key {
	__u32 kind; /* 1 prog, 2 map, 3 link */
	__u32 id;
};

enum lsm_stat {
	LSM_STAT_DECISIONS = 0, /* records written */
	LSM_STAT_LOST = 1,	/* ring buffer full: decision taken, record dropped */
	LSM_STAT_DENIED = 2,
	LSM_STAT_KILLED = 3,
	LSM_STAT_WOULD_DENY = 4,
	LSM_STAT_SELF = 5, /* self-protection denials */
	LSM_STAT_MAX = 8,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct inode_key);
	__type(value, struct policy_entry);
} pol_inode SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct net_key);
	__type(value, struct policy_entry);
} pol_net SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct policy_entry);
} pol_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct policy_entry);
} pol_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lsm_config);
} lsm_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct protected_id_key);
	__type(value, __u8);
} protected_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} decisions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LSM_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lsm_stats SEC(".maps");

#endif /* HARRIER_LSM_POLICY_MAPS_H */
