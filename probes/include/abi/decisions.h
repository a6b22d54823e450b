/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harrier enforcement decision records (op codes 400+ of enum evt_op in events.h).
 *
 * Emitted by the BPF LSM programs of lsm-hooks/ (op EVT_LSM_DECISION) into their own ring buffer
 * "decisions". Fixed size: one struct dec_record per decision, hdr.size == sizeof(struct
 * dec_record). The C# mirror is engine/Harrier.Engine/Enforcement/LsmDecisionRecord.cs. Field
 * offsets are part of the ABI: append only, bump DEC_ABI_VERSION on incompatible changes.
 */
#ifndef HARRIER_ABI_DECISIONS_H
#define HARRIER_ABI_DECISIONS_H

#include "events.h"

#define DEC_ABI_VERSION 1
#define DEC_SUBJECT_MAX 256

/* dec_record.hook: which LSM hook decided. */
enum dec_hook {
	DEC_HOOK_NONE = 0,
	DEC_HOOK_BPRM_CHECK = 1,
	DEC_HOOK_FILE_OPEN = 2,
	DEC_HOOK_INODE_UNLINK = 3,
	DEC_HOOK_INODE_RMDIR = 4,
	DEC_HOOK_INODE_RENAME = 5,
	DEC_HOOK_SOCKET_CONNECT = 6,
	DEC_HOOK_SOCKET_BIND = 7,
	DEC_HOOK_TASK_KILL = 8,
	DEC_HOOK_PTRACE = 9,
	DEC_HOOK_BPF = 10,
	DEC_HOOK_KERNEL_READ_FILE = 11,
	DEC_HOOK_KERNEL_LOAD_DATA = 12,
	DEC_HOOK_SB_MOUNT = 13,
	DEC_HOOK_INODE_LINK = 14,
};

/* dec_record.action: what happened. */
enum dec_action {
	DEC_ACT_NONE = 0,
	DEC_ACT_DENIED = 1,	/* the hook returned -EPERM */
	DEC_ACT_KILLED = 2,	/* -EPERM and SIGKILL sent to the caller */
	DEC_ACT_WOULD_DENY = 3, /* monitor mode: allowed, would have been denied */
	DEC_ACT_WOULD_KILL = 4, /* monitor mode: allowed, would have been killed */
};

/* dec_record.match: which policy table matched. */
enum dec_match {
	DEC_MATCH_NONE = 0,
	DEC_MATCH_INODE = 1,   /* exact file (dev, inode) */
	DEC_MATCH_SUBTREE = 2, /* an ancestor directory (dev, inode) */
	DEC_MATCH_NET = 3,     /* destination / bind CIDR (+ port) */
	DEC_MATCH_UID = 4,
	DEC_MATCH_CGROUP = 5,
	DEC_MATCH_SELF = 6, /* self-protection of the enforcing process and its BPF objects */
};

struct dec_record {
	struct evt_hdr hdr;   /* 0: op EVT_LSM_DECISION, size sizeof(struct dec_record) */
	struct evt_task task; /* 24: the caller */
	__u32 rule_id;	      /* 72: policy entry's rule id (0 for self-protection) */
	__u16 hook;	      /* 76: enum dec_hook */
	__u8 action;	      /* 78: enum dec_action */
	__u8 match;	      /* 79: enum dec_match */
	__s32 ret;	      /* 80: what the hook returned (0 or -EPERM) */
	__u32 target; /* 84: kill/ptrace target tgid; bpf command; mount flags (low 32 bits) */
	__u64 ino;    /* 88: file subject inode */
	__u32 dev;    /* 96: file subject device (kernel encoding: major << 20 | minor) */
	__u32 aux;    /* 100: signal (task_kill), ptrace mode, kernel_read_file / load_data id */
	struct evt_sockaddr addr;      /* 104: connect / bind address */
	__u16 subject_len;	       /* 128: bytes in subject including NUL, 0 when absent */
	__u16 abi_version;	       /* 130: DEC_ABI_VERSION */
	__u32 pad;		       /* 132 */
	char subject[DEC_SUBJECT_MAX]; /* 136: exec filename, dentry name, mount source, bpf object
					  path */
};				       /* 392 */

#endif /* HARRIER_ABI_DECISIONS_H */
