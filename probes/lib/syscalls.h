/* SPDX-License-Identifier: GPL-2.0 */
/* x86_64 system call numbers Harrier dispatches on (arch/x86/entry/syscalls/syscall_64.tbl). */
#ifndef HARRIER_LIB_SYSCALLS_H
#define HARRIER_LIB_SYSCALLS_H

#define NR_open		 2
#define NR_dup		 32
#define NR_close	 3
#define NR_dup2		 33
#define NR_socket	 41
#define NR_connect	 42
#define NR_accept	 43
#define NR_sendto	 44
#define NR_sendmsg	 46
#define NR_bind		 49
#define NR_listen	 50
#define NR_clone	 56
#define NR_fork		 57
#define NR_vfork	 58
#define NR_execve	 59
#define NR_truncate	 76
#define NR_ftruncate	 77
#define NR_rename	 82
#define NR_mkdir	 83
#define NR_rmdir	 84
#define NR_creat	 85
#define NR_link		 86
#define NR_unlink	 87
#define NR_symlink	 88
#define NR_chmod	 90
#define NR_fchmod	 91
#define NR_chown	 92
#define NR_fchown	 93
#define NR_lchown	 94
#define NR_ptrace	 101
#define NR_setuid	 105
#define NR_setgid	 106
#define NR_setreuid	 113
#define NR_setregid	 114
#define NR_setresuid	 117
#define NR_setresgid	 119
#define NR_capset	 126
#define NR_mount	 165
#define NR_umount2	 166
#define NR_init_module	 175
#define NR_delete_module 176
#define NR_openat	 257
#define NR_mkdirat	 258
#define NR_fchownat	 260
#define NR_unlinkat	 263
#define NR_renameat	 264
#define NR_linkat	 265
#define NR_symlinkat	 266
#define NR_fchmodat	 268
#define NR_unshare	 272
#define NR_accept4	 288
#define NR_dup3		 292
#define NR_setns	 308
#define NR_finit_module	 313
#define NR_renameat2	 316
#define NR_memfd_create	 319
#define NR_bpf		 321
#define NR_execveat	 322
#define NR_clone3	 435
#define NR_openat2	 437
#define NR_fchmodat2	 452

/* Size of the per-syscall maps (interesting set, tail-call table). */
#define NR_SYSCALLS 512

#endif /* HARRIER_LIB_SYSCALLS_H */
